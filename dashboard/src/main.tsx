import "@mantine/core/styles.css";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { loadFirebase } from "./firebase";

const root = createRoot(document.getElementById("root")!);
loadFirebase().then(
  (setup) => root.render(<App setup={setup} />),
  (err: Error) => root.render(<p role="alert">The dashboard could not start: {err.message}</p>),
);
