import { BadRequestException, Injectable } from '@nestjs/common';
import { exec, execFile, execSync, spawn } from 'child_process';
import { promisify } from 'util';
import { randomUUID } from 'crypto';
import * as path from 'path';

const execAsync = promisify(exec);
const execFileAsync = promisify(execFile);

const WORK_DIR = '/var/lib/media/work';
const FORMATS = new Set(['mp4', 'webm', 'gif']);

export interface TranscodeRequest {
  sourceKey: string;
  format: string;
  title?: string;
}

@Injectable()
export class MediaService {
  async transcode(req: TranscodeRequest): Promise<string> {
    const output = path.join(WORK_DIR, `${randomUUID()}.${req.format}`);
    const cmd = `ffmpeg -y -i ${path.join(WORK_DIR, req.sourceKey)} -metadata title="${req.title ?? ''}" ${output}`;
    await execAsync(cmd, { timeout: 120_000 }); // VULN: command-injection
    return output;
  }

  async transcodeSafe(req: TranscodeRequest): Promise<string> {
    if (!FORMATS.has(req.format)) throw new BadRequestException('unsupported format');
    const input = path.join(WORK_DIR, path.basename(req.sourceKey));
    const output = path.join(WORK_DIR, `${randomUUID()}.${req.format}`);
    await execFileAsync('ffmpeg', ['-y', '-i', input, '-metadata', `title=${req.title ?? ''}`, output], { timeout: 120_000 }); // SAFE: command-injection
    return output;
  }

  imageInfo(fileName: string): string {
    return execSync('identify -format "%w x %h" ' + fileName).toString(); // VULN: command-injection
  }

  archive(jobId: string, files: string[]): Promise<number> {
    return new Promise((resolve) => {
      const child = spawn('zip', ['-j', `${jobId}.zip`, ...files], { cwd: WORK_DIR, shell: true }); // VULN: command-injection
      child.on('close', (code) => resolve(code ?? 1));
    });
  }

  archiveSafe(jobId: string, files: string[]): Promise<number> {
    const safeJob = jobId.replace(/[^a-zA-Z0-9-]/g, '');
    const names = files.map((f) => path.basename(f));
    return new Promise((resolve) => {
      const child = spawn('zip', ['-j', `${safeJob}.zip`, '--', ...names], { cwd: WORK_DIR }); // SAFE: command-injection
      child.on('close', (code) => resolve(code ?? 1));
    });
  }

  async diskUsage(): Promise<string> {
    const { stdout } = await execAsync(`du -sh ${WORK_DIR}`); // SAFE: command-injection
    return stdout;
  }

  async gitRevision(): Promise<string> {
    const { stdout } = await execFileAsync('git', ['rev-parse', '--short', 'HEAD'], { cwd: '/srv/media' }); // SAFE: command-injection
    return stdout.trim();
  }
}
