const express = require("express");
const { exec, execSync, spawn, execFile } = require("child_process");
const cp = require("child_process");
const util = require("util");
const shell = require("shelljs");
const app = express();

app.get("/ping", (req, res) => {
  const host = req.query.host;
  // ruleid: js-command-injection-exec, js-command-injection-dynamic-shell-string
  exec("ping -c 1 " + host, (err, stdout) => res.send(stdout));
});

app.post("/convert", (req, res) => {
  const { input, format } = req.body;
  const cmd = `convert ${input} out.${format}`;
  // ruleid: js-command-injection-exec, js-command-injection-dynamic-shell-string
  const out = execSync(cmd).toString();
  res.send(out);
});

const execAsync = util.promisify(exec);
async function archive(req, res) {
  const dir = req.params.dir;
  // ruleid: js-command-injection-exec, js-command-injection-dynamic-shell-string
  const { stdout } = await execAsync(`tar czf /tmp/a.tgz ${dir}`);
  // ruleid: js-command-injection-exec, js-command-injection-dynamic-shell-string
  cp.exec("du -sh " + dir, () => {});
  // ruleid: js-command-injection-exec, js-command-injection-dynamic-shell-string
  shell.exec("git checkout " + req.query.branch);
  res.send(stdout);
}

exports.handler = async (event) => {
  const body = JSON.parse(event.body);
  // ruleid: js-command-injection-exec, js-command-injection-dynamic-shell-string
  require("child_process").execSync("nslookup " + body.domain);
};

const file = process.argv[2];
// ruleid: js-command-injection-exec, js-command-injection-dynamic-shell-string
execSync(`cat ${file}`);

app.get("/grep", (req, res) => {
  // ruleid: js-command-injection-shell-option
  const child = spawn("grep " + req.query.pattern + " /var/log/app.log", { shell: true });
  // ruleid: js-command-injection-shell-option, js-command-injection-dynamic-shell-string
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
  // known limitation of the pattern rule: it cannot see that n is a number (the taint rule does)
  // ruleid: js-command-injection-dynamic-shell-string
  exec("head -n " + n + " /var/log/app.log");
  const re = /^(\d+)$/;
  // ok: js-command-injection-exec
  const m = re.exec(req.query.id);
  // ok: js-command-injection-shell-option
  spawn("npm run build", { shell: true });
  res.send(m);
});

// --- shell command lines assembled from variables (helpers / services) ---
const { promisify } = require("util");
const execAsync = promisify(child_process.exec);

function identify(fileName) {
  // ruleid: js-command-injection-dynamic-shell-string
  return child_process.execSync("identify -format '%w' " + fileName).toString();
}

async function convertVideo(job) {
  const commandLine = `ffmpeg -i ${job.input} -vf scale=${job.width}:-1 ${job.output}`;
  // ruleid: js-command-injection-dynamic-shell-string
  await execAsync(commandLine, { timeout: 60000 });
}

function zipFiles(archiveName, files) {
  // ruleid: js-command-injection-dynamic-shell-string
  return child_process.spawn("zip", ["-j", `${archiveName}.zip`, ...files], { shell: true });
}

const DATA_DIR = "/var/lib/app";
async function diskUsage() {
  // ok: js-command-injection-dynamic-shell-string
  return execAsync(`du -sh ${DATA_DIR}`);
}

function version() {
  // ok: js-command-injection-dynamic-shell-string
  return child_process.execSync("ffmpeg -version").toString();
}

function zipFilesSafely(archiveName, files) {
  // ok: js-command-injection-dynamic-shell-string
  return child_process.spawn("zip", ["-j", `${archiveName}.zip`, "--", ...files]);
}

const BRANCH_NAME = /^[A-Za-z0-9._\/-]{1,64}$/;
function gitLog(branch) {
  if (!BRANCH_NAME.test(branch)) throw new Error("bad branch");
  // ok: js-command-injection-dynamic-shell-string
  return child_process.execSync(`git log --oneline ${branch}`).toString();
}
