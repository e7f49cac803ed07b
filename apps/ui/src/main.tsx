import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app";
import "./styles.css";
import { applyTheme, readStoredTheme, systemTheme } from "./theme/theme-preference";

// Before the first render, so a dark page never flashes light.
applyTheme(readStoredTheme() ?? systemTheme());

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
