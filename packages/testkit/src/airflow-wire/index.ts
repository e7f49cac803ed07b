export { airflowResponseViolations, type ObservedResponse } from "./airflow-response-models.js";
export { type AirflowResponseCheck, installAirflowResponseCheck } from "./install-airflow-response-check.js";
