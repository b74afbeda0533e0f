package connect.sentinel.fault;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;

public class FaultSourceTask extends SourceTask {
  private Fault.Run run;
  private long records;

  @Override
  public void start(Map<String, String> props) {
    run = new Fault.Run(props);
  }

  @Override
  public List<SourceRecord> poll() {
    Fault.sleepQuietly(run.fault.pollMs);
    run.check(records);
    records++;
    if (run.fault.topic.isEmpty()) return null;
    Map<String, Object> partition = Collections.singletonMap("task", run.task);
    Map<String, Object> offset = Collections.singletonMap("record", records);
    return List.of(new SourceRecord(partition, offset, run.fault.topic, Schema.STRING_SCHEMA, run.connector + "-" + run.task + "-" + records));
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
