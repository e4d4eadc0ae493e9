// Starts the console: loads the wasm module beside this file. A file rather than an inline
// script, so the Content Security Policy can allow this server's scripts and nothing else.
import init from "./berth.js";

init({ module_or_path: new URL("./berth_bg.wasm", import.meta.url) }).catch((error) => {
  const message = document.createElement("p");
  message.className = "start-failed";
  message.textContent = "Berth's console could not start: " + String(error);
  document.body.replaceChildren(message);
});
