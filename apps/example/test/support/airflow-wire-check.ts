import { installAirflowResponseCheck } from "@tidemark/testkit/airflow-wire";

// Every answer of an Airflow state store route that a test receives over HTTP must be one an Airflow client
// accepts: Airflow's status and body, no extra field at any level. Tidemark's extras travel in headers, or
// in fields a client asked for with `include`.
installAirflowResponseCheck();
