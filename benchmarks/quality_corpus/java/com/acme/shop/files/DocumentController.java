package com.acme.shop.files;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

@RestController
public class DocumentController {

    private static final String UPLOAD_DIR = "/var/lib/shop/uploads";
    private static final Path INVOICE_ROOT = Paths.get("/var/lib/shop/invoices").toAbsolutePath().normalize();

    @GetMapping("/documents/download")
    public byte[] download(@RequestParam String name) throws IOException {
        File file = new File(UPLOAD_DIR, name);
        try (InputStream in = new FileInputStream(file)) { // VULN: path-traversal
            return in.readAllBytes();
        }
    }

    @GetMapping("/documents/v2/download")
    public byte[] downloadV2(@RequestParam String name) throws IOException {
        Path fileName = Paths.get(name).getFileName();
        if (fileName == null) {
            throw new IllegalArgumentException("missing file name");
        }
        return Files.readAllBytes(Paths.get(UPLOAD_DIR).resolve(fileName.toString())); // SAFE: path-traversal
    }

    @GetMapping("/invoices/pdf")
    public ResponseEntity<Resource> invoice(@RequestParam String path) {
        Path target = INVOICE_ROOT.resolve(path).normalize();
        if (!target.startsWith(INVOICE_ROOT)) {
            return ResponseEntity.badRequest().build();
        }
        return ResponseEntity.ok(new FileSystemResource(target)); // SAFE: path-traversal
    }

    @GetMapping("/invoices/legacy")
    public ResponseEntity<Resource> legacyInvoice(@RequestParam String path) {
        Path target = INVOICE_ROOT.resolve(path);
        return ResponseEntity.ok(new FileSystemResource(target)); // VULN: path-traversal
    }

    @GetMapping("/invoices/archive")
    public byte[] archived(@RequestParam String year, @RequestParam String file) throws IOException {
        String fullPath = "/var/lib/shop/archive/" + year + "/" + file;
        if (!fullPath.startsWith("/var/lib/shop/archive/")) {
            throw new SecurityException("outside archive");
        }
        return Files.readAllBytes(Paths.get(fullPath)); // VULN: path-traversal
    }

    @PostMapping("/documents/upload")
    public String upload(@RequestParam("file") MultipartFile file) throws IOException {
        File dest = new File(UPLOAD_DIR, file.getOriginalFilename());
        file.transferTo(dest); // VULN: path-traversal
        return dest.getName();
    }

    @PostMapping("/documents/v2/upload")
    public String uploadV2(@RequestParam("file") MultipartFile file) throws IOException {
        String stored = java.util.UUID.randomUUID() + ".bin";
        file.transferTo(Paths.get(UPLOAD_DIR, stored)); // SAFE: path-traversal
        return stored;
    }

    @DeleteMapping("/documents")
    public void delete(@RequestParam String name) throws IOException {
        Files.deleteIfExists(Paths.get(UPLOAD_DIR, name)); // VULN: path-traversal
    }

    @GetMapping("/documents/thumb")
    public byte[] thumbnail(@RequestParam String name) throws IOException {
        String safe = new File(name).getName();
        try (InputStream in = new FileInputStream(new File(UPLOAD_DIR + "/thumbs", safe))) { // SAFE: path-traversal
            return in.readAllBytes();
        }
    }
}
