package connect.sentinel.fault;

import java.util.Collection;
import java.util.Map;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;

public class FaultSinkTask extends SinkTask {
  private Fault fault;
  private long startedAt;
  private long records;
  private boolean failing;

  @Override
  public void start(Map<String, String> props) {
    fault = new Fault(props);
    String connector = props.getOrDefault("name", "unknown");
    int task = Integer.parseInt(props.getOrDefault("fault.task.id", "0"));
    startedAt = System.currentTimeMillis();
    failing = !"run".equals(fault.mode) && !"hang-in-stop".equals(fault.mode) && fault.thisStartFails(connector, task);
    if (!failing) return;
    if ("fail-at-start".equals(fault.mode)) throw fault.toThrow();
    if ("hang-in-start".equals(fault.mode)) Fault.hangForever();
  }

  @Override
  public void put(Collection<SinkRecord> batch) {
    records += batch.size();
    if (failing && "fail-after-ms".equals(fault.mode) && System.currentTimeMillis() - startedAt >= fault.afterMs) throw fault.toThrow();
    if (failing && "fail-after-records".equals(fault.mode) && records >= fault.afterRecords) throw fault.toThrow();
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
