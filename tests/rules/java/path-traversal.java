package com.example.files;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.commons.io.FilenameUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

public class DownloadServlet extends HttpServlet {
    private static final String BASE_DIR = "/var/app/reports";

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String name = request.getParameter("file");
        // ruleid: java-path-traversal
        File f = new File(BASE_DIR, name);
        try (InputStream in = new FileInputStream(f)) {
            in.transferTo(response.getOutputStream());
        }
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String report = request.getParameter("report");
        // ruleid: java-path-traversal
        byte[] data = Files.readAllBytes(Paths.get("/var/app/reports/" + report));
        response.getOutputStream().write(data);

        // ruleid: java-path-traversal
        FileInputStream fis = new FileInputStream("/var/app/logs/" + request.getParameter("log"));
        fis.close();

        String safeName = FilenameUtils.getName(request.getParameter("file"));
        // ok: java-path-traversal
        File ok = new File(BASE_DIR, safeName);

        String only = Paths.get(request.getParameter("doc")).getFileName().toString();
        // ok: java-path-traversal
        Files.readAllBytes(Paths.get(BASE_DIR, only));

        // ok: java-path-traversal
        Files.readAllBytes(Paths.get(BASE_DIR, "index.html"));
    }

    protected void checked(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Path base = Paths.get(BASE_DIR).toAbsolutePath().normalize();
        // ok: java-path-traversal
        Path target = base.resolve(request.getParameter("file")).normalize();
        if (!target.startsWith(base)) {
            response.sendError(400);
            return;
        }
        Files.copy(target, response.getOutputStream());
    }
}

@RestController
class UploadController {
    private final Path uploadDir = Paths.get("/srv/uploads");

    @PostMapping("/upload")
    public String upload(@RequestParam("file") MultipartFile file) throws IOException {
        // ruleid: java-path-traversal
        Path dest = uploadDir.resolve(file.getOriginalFilename());
        file.transferTo(dest);
        return "ok";
    }

    @GetMapping("/avatar")
    public byte[] avatar(@RequestParam String user) throws IOException {
        // ruleid: java-path-traversal
        return Files.readAllBytes(Path.of("/srv/avatars", user + ".png"));
    }

    @GetMapping("/page")
    public byte[] page(@RequestParam int n) throws IOException {
        // ok: java-path-traversal
        return Files.readAllBytes(Path.of("/srv/pages", n + ".html"));
    }
}

class Unzipper {
    public void extract(InputStream archive, File destDir) throws IOException {
        try (ZipInputStream zis = new ZipInputStream(archive)) {
            ZipEntry entry;
            while ((entry = zis.getNextEntry()) != null) {
                // ruleid: java-path-traversal-zip-slip
                File out = new File(destDir, entry.getName());
                if (entry.isDirectory()) {
                    out.mkdirs();
                    continue;
                }
                try (OutputStream os = new FileOutputStream(out)) {
                    zis.transferTo(os);
                }
            }
        }
    }

    public void extractSafe(InputStream archive, File destDir) throws IOException {
        String destPath = destDir.getCanonicalPath();
        try (ZipInputStream zis = new ZipInputStream(archive)) {
            ZipEntry entry;
            while ((entry = zis.getNextEntry()) != null) {
                // ok: java-path-traversal-zip-slip
                File out = new File(destDir, entry.getName());
                if (!out.getCanonicalPath().startsWith(destPath + File.separator)) {
                    throw new IOException("Entry is outside of the target dir: " + entry.getName());
                }
                try (OutputStream os = new FileOutputStream(out)) {
                    zis.transferTo(os);
                }
            }
        }
    }

    public void extractNio(ZipInputStream zis, Path target) throws IOException {
        ZipEntry e = zis.getNextEntry();
        while (e != null) {
            // ruleid: java-path-traversal-zip-slip
            Path p = target.resolve(e.getName());
            Files.copy(zis, p);
            e = zis.getNextEntry();
        }
    }

    public void extractFlat(ZipInputStream zis, Path target) throws IOException {
        ZipEntry e = zis.getNextEntry();
        // ok: java-path-traversal-zip-slip
        Path p = target.resolve(Paths.get(e.getName()).getFileName().toString());
        Files.copy(zis, p);
    }
}
