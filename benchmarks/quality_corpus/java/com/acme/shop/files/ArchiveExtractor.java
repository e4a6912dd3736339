package com.acme.shop.files;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/** Unpacks theme bundles and product imports uploaded by merchants. */
public class ArchiveExtractor {

    public void extractTheme(InputStream upload, File destDir) throws IOException {
        try (ZipInputStream zis = new ZipInputStream(upload)) {
            ZipEntry entry;
            while ((entry = zis.getNextEntry()) != null) {
                File out = new File(destDir, entry.getName());
                if (entry.isDirectory()) {
                    out.mkdirs();
                    continue;
                }
                out.getParentFile().mkdirs();
                try (OutputStream os = new FileOutputStream(out)) { // VULN: path-traversal
                    zis.transferTo(os);
                }
            }
        }
    }

    public void extractImport(InputStream upload, Path destDir) throws IOException {
        Path root = destDir.toAbsolutePath().normalize();
        try (ZipInputStream zis = new ZipInputStream(upload)) {
            ZipEntry entry;
            while ((entry = zis.getNextEntry()) != null) {
                Path target = root.resolve(entry.getName()).normalize();
                if (!target.startsWith(root)) {
                    throw new IOException("Bad zip entry: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                Files.copy(zis, target, StandardCopyOption.REPLACE_EXISTING); // SAFE: path-traversal
            }
        }
    }

    public void restoreBackup(InputStream upload, Path destDir) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(upload)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextTarEntry()) != null) {
                if (!entry.isFile()) {
                    continue;
                }
                Path target = destDir.resolve(entry.getName());
                Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING); // VULN: path-traversal
            }
        }
    }

    public void extractFlat(InputStream upload, File destDir) throws IOException {
        try (ZipInputStream zis = new ZipInputStream(upload)) {
            ZipEntry entry;
            while ((entry = zis.getNextEntry()) != null) {
                if (entry.isDirectory()) {
                    continue;
                }
                String baseName = new File(entry.getName()).getName();
                try (OutputStream os = new FileOutputStream(new File(destDir, baseName))) { // SAFE: path-traversal
                    zis.transferTo(os);
                }
            }
        }
    }
}

@RestController
class MerchantUploadController {

    private final ArchiveExtractor extractor = new ArchiveExtractor();

    @PostMapping("/merchants/{id}/theme")
    void theme(@PathVariable long id, @RequestParam("bundle") MultipartFile bundle) throws IOException {
        extractor.extractTheme(bundle.getInputStream(), new File("/var/lib/shop/themes/" + id));
    }

    @PostMapping("/merchants/{id}/import")
    void importData(@PathVariable long id, @RequestParam("archive") MultipartFile archive) throws IOException {
        extractor.extractImport(archive.getInputStream(), Path.of("/var/lib/shop/imports", Long.toString(id)));
    }

    @PostMapping("/merchants/{id}/restore")
    void restore(@PathVariable long id, @RequestParam("backup") MultipartFile backup) throws IOException {
        extractor.restoreBackup(backup.getInputStream(), Path.of("/var/lib/shop/restore", Long.toString(id)));
    }

    @PostMapping("/merchants/{id}/images")
    void images(@PathVariable long id, @RequestParam("zip") MultipartFile zip) throws IOException {
        extractor.extractFlat(zip.getInputStream(), new File("/var/lib/shop/images/" + id));
    }
}
