import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { exec } from 'child_process';
import { MediaService, TranscodeRequest } from './media.service';

@Controller('media')
export class MediaController {
  constructor(private readonly media: MediaService) {}

  @Post('transcode')
  transcode(@Body() body: TranscodeRequest) {
    return this.media.transcode(body);
  }

  @Post('transcode/v2')
  transcodeV2(@Body() body: TranscodeRequest) {
    return this.media.transcodeSafe(body);
  }

  @Get('info/:file')
  info(@Param('file') file: string) {
    return this.media.imageInfo(file);
  }

  @Post('archive')
  archive(@Body() body: { jobId: string; files: string[] }) {
    return this.media.archive(body.jobId, body.files);
  }

  @Post('archive/v2')
  archiveV2(@Body() body: { jobId: string; files: string[] }) {
    return this.media.archiveSafe(body.jobId, body.files);
  }

  @Post('fonts/install')
  installFont(@Body('fontUrl') fontUrl: string) {
    return new Promise((resolve, reject) => {
      exec('curl -sSL ' + fontUrl + ' -o /tmp/font.ttf && fc-cache -f', (err, stdout) => (err ? reject(err) : resolve(stdout))); // VULN: command-injection
    });
  }

  @Get('health')
  health() {
    return this.media.diskUsage();
  }
}
