package connect.sentinel.fault;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.SourceConnector;

/** A source connector whose tasks fail, hang or recover as its config says (see Fault). */
public class FaultSourceConnector extends SourceConnector {
  private Map<String, String> props;
  private Fault.HerderBlocker blocker;

  @Override
  public void start(Map<String, String> props) {
    this.props = props;
    Fault fault = new Fault(props);
    if (fault.connectorFails) throw fault.toThrow();
    blocker = new Fault.HerderBlocker(fault, context);
  }

  @Override
  public Class<? extends Task> taskClass() {
    return FaultSourceTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    return Fault.taskConfigs(props, maxTasks);
  }

  @Override
  public void stop() {
    if (blocker != null) blocker.stop();
  }

  @Override
  public ConfigDef config() {
    return Fault.CONFIG;
  }

  @Override
  public String version() {
    return "1.0.0-fault";
  }
}
