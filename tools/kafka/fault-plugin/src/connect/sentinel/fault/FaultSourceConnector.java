package connect.sentinel.fault;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.SourceConnector;

/** A source connector whose tasks fail, hang or recover as its config says (see Fault). */
public class FaultSourceConnector extends SourceConnector {
  private Map<String, String> props;

  @Override
  public void start(Map<String, String> props) {
    this.props = props;
    Fault fault = new Fault(props);
    if (fault.connectorFails) throw fault.toThrow();
  }

  @Override
  public Class<? extends Task> taskClass() {
    return FaultSourceTask.class;
  }

  @Override
  public List<Map<String, String>> taskConfigs(int maxTasks) {
    List<Map<String, String>> configs = new ArrayList<>();
    for (int i = 0; i < maxTasks; i++) {
      Map<String, String> config = new HashMap<>(props);
      config.put("fault.task.id", Integer.toString(i));
      configs.add(config);
    }
    return configs;
  }

  @Override
  public void stop() {}

  @Override
  public ConfigDef config() {
    return Fault.CONFIG;
  }

  @Override
  public String version() {
    return "1.0.0-fault";
  }
}
