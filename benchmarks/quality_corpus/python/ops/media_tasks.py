"""Celery tasks for the video platform: transcoding, previews and archive cleanup."""

import os
import shutil
import subprocess
from pathlib import Path

from celery import shared_task

from .models import Upload

WORK_DIR = Path("/var/lib/transcoder")
FFMPEG = shutil.which("ffmpeg") or "/usr/bin/ffmpeg"


@shared_task
def transcode(upload_id: int, preset: str):
    upload = Upload.objects.get(pk=upload_id)
    src = WORK_DIR / f"{upload.pk}.src"
    cmd = f"{FFMPEG} -y -i {src} -preset {preset} {WORK_DIR}/{upload.pk}.mp4"
    subprocess.run(cmd, shell=True, check=True)  # VULN: command-injection


@shared_task
def transcode_v2(upload_id: int, preset: str):
    upload = Upload.objects.get(pk=upload_id)
    src = WORK_DIR / f"{upload.pk}.src"
    subprocess.run([FFMPEG, "-y", "-i", str(src), "-preset", preset, str(WORK_DIR / f"{upload.pk}.mp4")], check=True)  # SAFE: command-injection


@shared_task
def add_watermark(upload_id: int, text: str):
    upload = Upload.objects.get(pk=upload_id)
    status = subprocess.getoutput(f"{FFMPEG} -i {WORK_DIR}/{upload.pk}.mp4 -vf drawtext=text='{text}' {WORK_DIR}/{upload.pk}.wm.mp4")  # VULN: command-injection
    return status


@shared_task
def preview_frame(upload_id: int, timestamp: str):
    upload = Upload.objects.get(pk=upload_id)
    out = WORK_DIR / f"{upload.pk}.jpg"
    subprocess.check_call([FFMPEG, "-y", "-ss", timestamp, "-i", str(WORK_DIR / f"{upload.pk}.mp4"), "-frames:v", "1", str(out)])  # SAFE: command-injection
    return str(out)


@shared_task
def probe(original_filename: str):
    return os.popen("file --brief --mime-type " + os.path.join(WORK_DIR, "incoming", original_filename)).read()  # VULN: command-injection


@shared_task
def probe_v2(upload_id: int):
    return subprocess.run(["file", "--brief", "--mime-type", str(WORK_DIR / f"{upload_id}.src")], capture_output=True, text=True).stdout  # SAFE: command-injection


@shared_task
def cleanup(user_folder: str):
    shutil.rmtree(WORK_DIR / "users" / user_folder, ignore_errors=True)  # VULN: path-traversal


@shared_task
def nightly_cleanup():
    subprocess.run("find /var/lib/transcoder -name '*.src' -mtime +7 -delete", shell=True, check=False)  # SAFE: command-injection


def enqueue_from_request(request):
    upload = Upload.objects.create(owner=request.user, original_name=request.FILES["video"].name)
    transcode.delay(upload.pk, request.POST.get("preset", "medium"))
    add_watermark.delay(upload.pk, request.POST.get("watermark", ""))
    preview_frame.delay(upload.pk, request.POST.get("thumb_at", "00:00:01"))
    probe.delay(request.FILES["video"].name)
    cleanup.delay(request.POST.get("scratch_folder", str(request.user.pk)))
