const express = require("express");
const { exec, execSync, spawn, execFile } = require("child_process");
const cp = require("child_process");
const util = require("util");
const shell = require("shelljs");
const app = express();

app.get("/ping", (req, res) => {
  const host = req.query.host;
  // ruleid: js-command-injection-exec
  exec("ping -c 1 " + host, (err, stdout) => res.send(stdout));
});

app.post("/convert", (req, res) => {
  const { input, format } = req.body;
  const cmd = `convert ${input} out.${format}`;
  // ruleid: js-command-injection-exec
  const out = execSync(cmd).toString();
  res.send(out);
});

const execAsync = util.promisify(exec);
async function archive(req, res) {
  const dir = req.params.dir;
  // ruleid: js-command-injection-exec
  const { stdout } = await execAsync(`tar czf /tmp/a.tgz ${dir}`);
  // ruleid: js-command-injection-exec
  cp.exec("du -sh " + dir, () => {});
  // ruleid: js-command-injection-exec
  shell.exec("git checkout " + req.query.branch);
  res.send(stdout);
}

exports.handler = async (event) => {
  const body = JSON.parse(event.body);
  // ruleid: js-command-injection-exec
  require("child_process").execSync("nslookup " + body.domain);
};

const file = process.argv[2];
// ruleid: js-command-injection-exec
execSync(`cat ${file}`);

app.get("/grep", (req, res) => {
  // ruleid: js-command-injection-shell-option
  const child = spawn("grep " + req.query.pattern + " /var/log/app.log", { shell: true });
  // ruleid: js-command-injection-shell-option
  execFile("find", [".", "-name", req.query.name], { shell: true }, () => {});
  // ruleid: js-command-injection-shell-option
  spawn("sh", ["-c", `ls ${req.query.dir}`]);
  // ruleid: js-command-injection-shell-option
  cp.spawnSync("/bin/bash", ["-c", "echo " + req.body.msg]);
  child.stdout.pipe(res);
});

// ---------- safe ----------
app.get("/safe/ping", (req, res) => {
  const host = req.query.host;
  // ok: js-command-injection-exec
  execFile("ping", ["-c", "1", host], (err, stdout) => res.send(stdout));
  // ok: js-command-injection-shell-option
  spawn("ls", ["-la", req.query.dir]);
  // ok: js-command-injection-shell-option
  spawn("git", ["log", req.query.ref], { shell: false });
  // ok: js-command-injection-exec
  exec("uptime", (err, out) => res.send(out));
  const n = parseInt(req.query.n, 10);
  // ok: js-command-injection-exec
  exec("head -n " + n + " /var/log/app.log");
  const re = /^(\d+)$/;
  // ok: js-command-injection-exec
  const m = re.exec(req.query.id);
  // ok: js-command-injection-shell-option
  spawn("npm run build", { shell: true });
  res.send(m);
});
