package connect.sentinel.fault;

import java.util.Collection;
import java.util.Map;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;

public class FaultSinkTask extends SinkTask {
  private Fault.Run run;
  private long records;

  @Override
  public void start(Map<String, String> props) {
    run = new Fault.Run(props);
  }

  @Override
  public void put(Collection<SinkRecord> batch) {
    records += batch.size();
    run.check(records);
  }

  @Override
  public void stop() {
    if (run != null) run.stop();
  }

  @Override
  public String version() {
    return "1.0.0-fault";
  }
}
