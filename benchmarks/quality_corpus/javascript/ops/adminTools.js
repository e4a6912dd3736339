'use strict';

const express = require('express');
const net = require('net');
const { exec, execSync, execFile, spawn } = require('child_process');

const router = express.Router();

// GET /admin/git-log?branch=main
router.get('/admin/git-log', (req, res) => {
  exec(`git -C /srv/app log --oneline -n 20 ${req.query.branch}`, (err, stdout) => { // VULN: command-injection
    if (err) return res.status(500).send('git failed');
    res.type('text/plain').send(stdout);
  });
});

// GET /admin/disk
router.get('/admin/disk', (req, res) => {
  exec('df -h /var/lib/app', (err, stdout) => { // SAFE: command-injection
    if (err) return res.status(500).end();
    res.type('text/plain').send(stdout);
  });
});

function pingCommand(host, count) {
  return 'ping -c ' + count + ' ' + host;
}

// POST /admin/ping  { host: "10.0.0.5" }
router.post('/admin/ping', (req, res) => {
  const cmd = pingCommand(req.body.host, 3);
  try {
    const out = execSync(cmd, { timeout: 10000 }); // VULN: command-injection
    res.type('text/plain').send(out);
  } catch (e) {
    res.status(502).send('unreachable');
  }
});

// POST /admin/ping/v2
router.post('/admin/ping/v2', (req, res) => {
  const host = req.body.host;
  if (!net.isIP(host)) return res.status(400).send('invalid address');
  execFile('ping', ['-c', '3', host], { timeout: 10000 }, (err, stdout) => { // SAFE: command-injection
    if (err) return res.status(502).send('unreachable');
    res.type('text/plain').send(stdout);
  });
});

// POST /admin/traceroute
router.post('/admin/traceroute', (req, res) => {
  const target = req.body.target;
  const child = spawn('traceroute', ['-m', '10', target], { shell: true }); // VULN: command-injection
  child.stdout.pipe(res);
});

// POST /admin/restart  { service: "worker" }
const RESTARTABLE = new Set(['worker', 'scheduler', 'mailer']);
router.post('/admin/restart', (req, res) => {
  const service = req.body.service;
  if (!RESTARTABLE.has(service)) return res.status(400).send('unknown service');
  const child = spawn('systemctl', ['restart', `app-${service}.service`]); // SAFE: command-injection
  child.on('close', (code) => res.json({ code }));
});

// POST /admin/run-report { name: "daily" }
router.post('/admin/run-report', (req, res) => {
  console.info(`[admin] ${new Date().toISOString()} ${req.user.email} requested report ${req.body.name}`); // VULN: log-injection
  let script = '/opt/reports/run.sh';
  script += ' --name ' + req.body.name;
  const child = spawn('/bin/sh', ['-c', script]); // VULN: command-injection
  child.on('close', (code) => res.json({ code }));
});

module.exports = router;
