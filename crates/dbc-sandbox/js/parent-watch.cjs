// Preloaded into chopsticks (`node -r parent-watch.cjs …`): exit when the Rust
// process that started us is gone, so a killed `dbc-sandbox up` or app never
// leaves an orphan chain behind. DBC_SANDBOX_PARENT_PID names that process.
'use strict';
const parent = Number(process.env.DBC_SANDBOX_PARENT_PID || 0);
if (parent > 0) {
  const timer = setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      process.exit(0);
    }
  }, 1000);
  timer.unref();
}
