// Process helpers shared by the SDK compat tests: start `osprey serve` or the fake upstream and
// wait for the URL they print, stop them with SIGTERM.
import { spawn } from 'node:child_process';

// Starts a process and resolves with the first URL printed after `marker` on stdout.
export function startProcess(cmd, args, marker, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} did not print "${marker}" in time\n${out}\n${err}`));
    }, 15000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(new RegExp(marker + '(http://[^\\s]+)'));
      if (m) {
        clearTimeout(timer);
        // osprey prints its admin key (first start only) before the listening line.
        const key = out.match(/osprey admin key \(shown once\): (\S+)/);
        resolve({ child, url: m[1], key: key ? key[1] : undefined });
      }
    });
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited with ${code}\n${out}\n${err}`));
    });
  });
}

export function stop(child) {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.on('exit', resolve);
    child.kill('SIGTERM');
  });
}

