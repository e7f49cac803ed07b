/** The response header both Tidemark servers send their error code in, on every error answer (lower case). */
export const ERROR_CODE_HEADER = "tidemark-error-code";
