export { airflowResponseViolations, type ObservedResponse } from "./airflow-response-models.js";
export {
  type AirflowResponseCheck,
  installAirflowResponseCheck,
  SCRIPTED_ANSWER_HEADER,
} from "./install-airflow-response-check.js";
