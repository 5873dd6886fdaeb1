// Preloaded into chopsticks (`node -r parent-watch.cjs …`): exit when the Rust
// process that started us is gone, so a killed `dbc-sandbox up` or app never
// leaves an orphan chain behind. DBC_SANDBOX_PARENT_PID names that process.
//
// "Gone" is checked three ways, because each alone can miss it: the pid no
// longer exists; it is a zombie nobody reaped (kill(pid, 0) still succeeds on
// a zombie, and a container's init may never reap it); or we were reparented
// (our parent pid changed), which happens the moment the parent dies.
'use strict';
const fs = require('fs');
const parent = Number(process.env.DBC_SANDBOX_PARENT_PID || 0);
const startPpid = process.ppid;

function parentGone() {
  if (startPpid === parent && process.ppid !== startPpid) return true;
  try {
    process.kill(parent, 0);
  } catch {
    return true;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..." – the state follows the last ')'.
    const stat = fs.readFileSync(`/proc/${parent}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return true;
  } catch {
    // No /proc (macOS): the kill check above is what we have.
  }
  return false;
}

if (parent > 0) {
  const timer = setInterval(() => {
    if (parentGone()) process.exit(0);
  }, 1000);
  timer.unref();
}
