import { render } from "solid-js/web";

import { createTauriApi } from "./api";
import App from "./App";
import "./styles.css";

const root = document.getElementById("root");
if (!root) {
  throw new Error("index.html has no #root element to mount the app into");
}

const api = createTauriApi();
render(() => <App api={api} />, root);
