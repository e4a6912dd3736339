@Controller("files")
export class FilesController {
  @Get("attachments")
  attachment(@Query("path") relPath: string, @Res() res: Response) {
    // ruleid: js-path-traversal-fs
    fs.createReadStream(path.join(ATTACH_ROOT, relPath)).pipe(res);
  }

  @Get("themes/:name/css")
  async themeCss(@Param("name") name: string) {
    const file = THEMES_DIR + "/" + name + "/theme.css";
    // ruleid: js-path-traversal-fs
    return fs.promises.readFile(file, "utf8");
  }

  @Delete("attachments/:name")
  async remove(@Param("name") name: string) {
    // ok: js-path-traversal-fs
    await fs.promises.unlink(path.join(ATTACH_ROOT, path.basename(name)));
  }
}
