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
        File f = new File(BASE_DIR, name);
        // ruleid: java-path-traversal
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
        Path dest = uploadDir.resolve(file.getOriginalFilename());
        // ruleid: java-path-traversal
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
                File out = new File(destDir, entry.getName());
                if (entry.isDirectory()) {
                    // ruleid: java-path-traversal-zip-slip
                    out.mkdirs();
                    continue;
                }
                // ruleid: java-path-traversal-zip-slip
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
            Path p = target.resolve(e.getName());
            // ruleid: java-path-traversal-zip-slip
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

@RestController
class ArchiveController {
    private static final Path ROOT = Paths.get("/srv/archive").toAbsolutePath().normalize();

    @GetMapping("/archive/file")
    public byte[] file(@RequestParam String month, @RequestParam String name) throws IOException {
        String full = "/srv/archive/" + month + "/" + name;
        if (!full.startsWith("/srv/archive/")) {
            throw new SecurityException("outside archive");
        }
        // ruleid: java-path-traversal
        return Files.readAllBytes(Paths.get(full));
    }

    @GetMapping("/archive/resource")
    public FileSystemResource resource(@RequestParam String name) {
        Path target = ROOT.resolve(name);
        // ruleid: java-path-traversal
        return new FileSystemResource(target);
    }

    @GetMapping("/archive/checked")
    public FileSystemResource checked(@RequestParam String name) {
        Path target = ROOT.resolve(name).normalize();
        if (!target.startsWith(ROOT)) {
            throw new SecurityException("outside archive");
        }
        // ok: java-path-traversal
        return new FileSystemResource(target);
    }

    @PostMapping("/archive/delete")
    public void delete(@RequestParam String name) throws IOException {
        // ruleid: java-path-traversal
        Files.deleteIfExists(Paths.get("/srv/archive", name));
    }

    @PostMapping("/archive/remove")
    public void remove(@RequestParam String name) {
        File victim = new File("/srv/archive", name);
        // ruleid: java-path-traversal
        victim.delete();
    }

    @PostMapping("/archive/store")
    public String store(@RequestParam("file") MultipartFile file) throws IOException {
        String stored = java.util.UUID.randomUUID() + ".bin";
        // ok: java-path-traversal
        file.transferTo(Paths.get("/srv/archive", stored));
        return stored;
    }

    @GetMapping("/archive/thumb")
    public byte[] thumb(@RequestParam String name) throws IOException {
        String base = new File(name).getName();
        // ok: java-path-traversal
        try (InputStream in = new FileInputStream(new File("/srv/thumbs", base))) {
            return in.readAllBytes();
        }
    }
}

class ArchivePaths {
    private final File root = new File("/srv/archive");

    File locate(HttpServletRequest request) {
        String name = request.getParameter("name");
        File f = new File(root, name);
        // ruleid: java-path-traversal
        return f;
    }

    File locateSafe(HttpServletRequest request) {
        String name = FilenameUtils.getName(request.getParameter("name"));
        File f = new File(root, name);
        // ok: java-path-traversal
        return f;
    }
}

class TarRestore {
    void restore(TarArchiveInputStream tar, Path dest) throws IOException {
        TarArchiveEntry entry;
        while ((entry = tar.getNextTarEntry()) != null) {
            Path target = dest.resolve(entry.getName());
            // ruleid: java-path-traversal-zip-slip
            Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    void restoreChecked(TarArchiveInputStream tar, Path dest) throws IOException {
        Path root = dest.toAbsolutePath().normalize();
        TarArchiveEntry entry;
        while ((entry = tar.getNextTarEntry()) != null) {
            Path target = root.resolve(entry.getName()).normalize();
            if (!target.startsWith(root)) {
                throw new IOException("bad entry");
            }
            // ok: java-path-traversal-zip-slip
            Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}

