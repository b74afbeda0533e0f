package connect.sentinel.fault;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;

public class FaultSourceTask extends SourceTask {
  private Fault fault;
  private String connector;
  private int task;
  private long startedAt;
  private long records;
  private boolean failing;

  @Override
  public void start(Map<String, String> props) {
    fault = new Fault(props);
    connector = props.getOrDefault("name", "unknown");
    task = Integer.parseInt(props.getOrDefault("fault.task.id", "0"));
    startedAt = System.currentTimeMillis();
    failing = !"run".equals(fault.mode) && !"hang-in-stop".equals(fault.mode) && fault.thisStartFails(connector, task);
    if (!failing) return;
    if ("fail-at-start".equals(fault.mode)) throw fault.toThrow();
    if ("hang-in-start".equals(fault.mode)) Fault.hangForever();
  }

  @Override
  public List<SourceRecord> poll() {
    Fault.sleepQuietly(fault.pollMs);
    if (failing && "fail-after-ms".equals(fault.mode) && System.currentTimeMillis() - startedAt >= fault.afterMs) throw fault.toThrow();
    if (failing && "fail-after-records".equals(fault.mode) && records >= fault.afterRecords) throw fault.toThrow();
    if (fault.topic.isEmpty()) {
      records++;
      return null;
    }
    records++;
    Map<String, Object> partition = Collections.singletonMap("task", task);
    Map<String, Object> offset = Collections.singletonMap("record", records);
    return List.of(new SourceRecord(partition, offset, fault.topic, Schema.STRING_SCHEMA, connector + "-" + task + "-" + records));
  }

  @Override
  public void stop() {
    if (fault != null && "hang-in-stop".equals(fault.mode)) Fault.hangForever();
  }

  @Override
  public String version() {
    return "1.0.0-fault";
  }
}
