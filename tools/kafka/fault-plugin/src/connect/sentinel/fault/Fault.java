package connect.sentinel.fault;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.ConnectorContext;

/**
 * What a fault-injecting task does, read from its connector's config. Every key is optional:
 *
 * <ul>
 *   <li>{@code fault.mode}: {@code run} (default), {@code fail-at-start}, {@code fail-after-ms}, {@code fail-after-records},
 *       {@code fail-on-file}, {@code hang-in-start}, {@code fail-then-hang-in-start} (the first {@code fault.fail.first}
 *       starts fail, every later one hangs in start(): a restart that leaves the task RESTARTING), {@code hang-in-stop};
 *   <li>{@code fault.after.ms}, {@code fault.after.records}: when the {@code fail-after-*} modes fail;
 *   <li>{@code fault.fail.on.file}: the {@code fail-on-file} mode fails once this file exists;
 *   <li>{@code fault.fail.first}: fail only the first K starts of each task, then run (needs {@code fault.state.dir},
 *       where the starts are counted, so that the count survives a task moving to another worker);
 *   <li>{@code fault.fail.until.file}: fail every start until this file exists, then run (starts counted in
 *       {@code fault.state.dir} too): healing that a rebalance's restarts cannot trigger early;
 *   <li>{@code fault.exception}: the class thrown (default {@code org.apache.kafka.connect.errors.ConnectException}),
 *       {@code fault.message}: its message;
 *   <li>{@code fault.causes}: the cause chain, {@code class:message} entries separated by {@code |}, outermost first,
 *       so that traces carry real {@code Caused by:} lines;
 *   <li>{@code fault.connector}: {@code fail} makes the connector itself fail in start();
 *   <li>{@code fault.poll.ms}: how long a source task's poll() waits (default 200; long for idle fleets);
 *   <li>{@code fault.herder.block.file}: once this file exists, the connector asks for a task reconfiguration, and its
 *       taskConfigs(), which Connect calls on the herder thread of the worker that runs the connector, waits until the
 *       file is gone. Every request queued on that worker's herder meanwhile waits, and times out after 90 s.
 * </ul>
 */
final class Fault {
  static final ConfigDef CONFIG = new ConfigDef()
      .define("fault.mode", ConfigDef.Type.STRING, "run", ConfigDef.Importance.LOW, "run, fail-at-start, fail-after-ms, fail-after-records, fail-on-file, hang-in-start, fail-then-hang-in-start, hang-in-stop")
      .define("fault.after.ms", ConfigDef.Type.LONG, 0L, ConfigDef.Importance.LOW, "for fail-after-ms")
      .define("fault.after.records", ConfigDef.Type.LONG, 0L, ConfigDef.Importance.LOW, "for fail-after-records")
      .define("fault.fail.on.file", ConfigDef.Type.STRING, "", ConfigDef.Importance.LOW, "for fail-on-file")
      .define("fault.fail.first", ConfigDef.Type.INT, -1, ConfigDef.Importance.LOW, "fail only the first K starts (-1: every start)")
      .define("fault.fail.until.file", ConfigDef.Type.STRING, "", ConfigDef.Importance.LOW, "fail until this file exists")
      .define("fault.state.dir", ConfigDef.Type.STRING, "", ConfigDef.Importance.LOW, "where starts are counted")
      .define("fault.exception", ConfigDef.Type.STRING, "org.apache.kafka.connect.errors.ConnectException", ConfigDef.Importance.LOW, "class thrown")
      .define("fault.message", ConfigDef.Type.STRING, "injected fault", ConfigDef.Importance.LOW, "its message")
      .define("fault.causes", ConfigDef.Type.STRING, "", ConfigDef.Importance.LOW, "class:message|class:message, outermost first")
      .define("fault.connector", ConfigDef.Type.STRING, "run", ConfigDef.Importance.LOW, "run or fail")
      .define("topic", ConfigDef.Type.STRING, "", ConfigDef.Importance.LOW, "where the source task writes one record per poll")
      .define("fault.poll.ms", ConfigDef.Type.LONG, 200L, ConfigDef.Importance.LOW, "how long a source task's poll() waits")
      .define("fault.herder.block.file", ConfigDef.Type.STRING, "", ConfigDef.Importance.LOW, "block the herder thread while this file exists");

  final String mode;
  final long afterMs;
  final long afterRecords;
  private final String failOnFile;
  private final int failFirst;
  private final String failUntilFile;
  private final String stateDir;
  private final String exception;
  private final String message;
  private final String causes;
  final boolean connectorFails;
  final String topic;
  final long pollMs;
  final String herderBlockFile;

  Fault(Map<String, String> props) {
    Map<String, Object> values = CONFIG.parse(props);
    mode = (String) values.get("fault.mode");
    afterMs = (Long) values.get("fault.after.ms");
    afterRecords = (Long) values.get("fault.after.records");
    failOnFile = (String) values.get("fault.fail.on.file");
    failFirst = (Integer) values.get("fault.fail.first");
    failUntilFile = (String) values.get("fault.fail.until.file");
    stateDir = (String) values.get("fault.state.dir");
    exception = (String) values.get("fault.exception");
    message = (String) values.get("fault.message");
    causes = (String) values.get("fault.causes");
    connectorFails = "fail".equals(values.get("fault.connector"));
    topic = (String) values.get("topic");
    pollMs = (Long) values.get("fault.poll.ms");
    herderBlockFile = (String) values.get("fault.herder.block.file");
  }

  /** One config per task, each with its id, which the task needs to count its own starts. */
  static List<Map<String, String>> taskConfigs(Map<String, String> props, int maxTasks) {
    String block = new Fault(props).herderBlockFile;
    while (!block.isEmpty() && Files.exists(Path.of(block))) sleepQuietly(100);
    List<Map<String, String>> configs = new ArrayList<>();
    for (int i = 0; i < maxTasks; i++) {
      Map<String, String> config = new HashMap<>(props);
      config.put("fault.task.id", Integer.toString(i));
      configs.add(config);
    }
    return configs;
  }

  /** What one started task does: fails or hangs now, or later in {@link #check}. */
  static final class Run {
    final Fault fault;
    final String connector;
    final int task;
    private final long startedAt = System.currentTimeMillis();
    private final boolean failing;

    Run(Map<String, String> props) {
      fault = new Fault(props);
      connector = props.getOrDefault("name", "unknown");
      task = Integer.parseInt(props.getOrDefault("fault.task.id", "0"));
      if ("fail-then-hang-in-start".equals(fault.mode)) {
        if (fault.thisStartFails(connector, task)) throw fault.toThrow();
        hangForever();
      }
      failing = !"run".equals(fault.mode) && !"hang-in-stop".equals(fault.mode) && fault.thisStartFails(connector, task);
      if (failing && "fail-at-start".equals(fault.mode)) throw fault.toThrow();
      if (failing && "hang-in-start".equals(fault.mode)) hangForever();
    }

    /** Throws once the fail-after-* condition is met, `records` having been handled so far. */
    void check(long records) {
      if (failing && "fail-after-ms".equals(fault.mode) && System.currentTimeMillis() - startedAt >= fault.afterMs) throw fault.toThrow();
      if (failing && "fail-after-records".equals(fault.mode) && records >= fault.afterRecords) throw fault.toThrow();
      if (failing && "fail-on-file".equals(fault.mode) && Files.exists(Path.of(fault.failOnFile))) throw fault.toThrow();
    }

    void stop() {
      if ("hang-in-stop".equals(fault.mode)) hangForever();
    }
  }

  /**
   * Watches {@code fault.herder.block.file} for a running connector: each time the file appears, asks Connect for a task
   * reconfiguration, whose taskConfigs() then blocks. Stopped with the connector.
   */
  static final class HerderBlocker {
    private volatile boolean running = true;

    HerderBlocker(Fault fault, ConnectorContext context) {
      if (fault.herderBlockFile.isEmpty()) return;
      Path file = Path.of(fault.herderBlockFile);
      Thread watcher = new Thread(() -> {
        boolean seen = false;
        while (running) {
          boolean exists = Files.exists(file);
          if (exists && !seen) context.requestTaskReconfiguration();
          seen = exists;
          sleepQuietly(100);
        }
      }, "fault-herder-blocker");
      watcher.setDaemon(true);
      watcher.start();
    }

    void stop() {
      running = false;
    }
  }

  /**
   * Counts this start of the task; true when this start is one that fails. A start is one line appended to the file:
   * duplicates of a task start at once on two workers (KAFKA-13719), and a read-then-write count would lose one.
   */
  boolean thisStartFails(String connector, int task) {
    if (failFirst < 0 && failUntilFile.isEmpty()) return true;
    Path file = Path.of(stateDir, connector + "-" + task + ".starts");
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, "s\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      long earlierStarts = Files.readAllLines(file, StandardCharsets.UTF_8).size() - 1;
      return failUntilFile.isEmpty() ? earlierStarts < failFirst : !Files.exists(Path.of(failUntilFile));
    } catch (IOException e) {
      throw new IllegalStateException("cannot count starts in " + file, e);
    }
  }

  /** The configured exception with its cause chain; unchecked, or wrapped in nothing when it is checked. */
  RuntimeException toThrow() {
    Throwable cause = null;
    if (!causes.isEmpty()) {
      String[] chain = causes.split("\\|");
      for (int i = chain.length - 1; i >= 0; i--) {
        int colon = chain[i].indexOf(':');
        Throwable next = instantiate(colon < 0 ? chain[i] : chain[i].substring(0, colon), colon < 0 ? "" : chain[i].substring(colon + 1));
        if (cause != null) next.initCause(cause);
        cause = next;
      }
    }
    Throwable top = instantiate(exception, message);
    if (cause != null) top.initCause(cause);
    return top instanceof RuntimeException ? (RuntimeException) top : new org.apache.kafka.connect.errors.ConnectException(top);
  }

  private static Throwable instantiate(String className, String text) {
    try {
      Constructor<?> constructor = Class.forName(className).getConstructor(String.class);
      return (Throwable) constructor.newInstance(text);
    } catch (ReflectiveOperationException e) {
      return new IllegalArgumentException("cannot make " + className + ": " + e);
    }
  }

  static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void hangForever() {
    while (true) sleepQuietly(60_000);
  }
}
