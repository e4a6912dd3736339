package com.acme.shop.ops;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

@Path("/ops")
@Produces(MediaType.TEXT_PLAIN)
public class DiagnosticsResource {

    private static final Pattern HOSTNAME = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$");
    private static final Pattern REF = Pattern.compile("^[A-Za-z0-9._/-]{1,100}$");
    private static final Map<String, List<String>> PROBES = Map.of(
            "disk", List.of("df", "-h", "/var/lib/shop"),
            "memory", List.of("free", "-m"),
            "load", List.of("uptime"));

    private static String drain(Process p) throws IOException {
        try (InputStream in = p.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @GET
    @Path("/dns")
    public String dns(@QueryParam("host") String host) throws IOException {
        Process p = Runtime.getRuntime().exec(new String[] {"sh", "-c", "nslookup " + host}); // VULN: command-injection
        return drain(p);
    }

    @GET
    @Path("/ping")
    public Response ping(@QueryParam("host") String host) throws IOException {
        if (host == null || !HOSTNAME.matcher(host).matches()) {
            return Response.status(400).entity("invalid host").build();
        }
        Process p = Runtime.getRuntime().exec(new String[] {"ping", "-c", "1", host}); // SAFE: command-injection
        return Response.ok(drain(p)).build();
    }

    @POST
    @Path("/backup")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public String backup(@FormParam("label") String label) throws IOException {
        Process p = new ProcessBuilder("bash", "-c", "tar -czf /backups/" + label + ".tgz /var/lib/shop").start(); // VULN: command-injection
        return drain(p);
    }

    @GET
    @Path("/git-log")
    public Response gitLog(@QueryParam("ref") String ref) throws IOException {
        if (ref == null || !REF.matcher(ref).matches()) {
            return Response.status(400).build();
        }
        ProcessBuilder pb = new ProcessBuilder("git", "log", "--oneline", "-n", "20", "--end-of-options", ref); // SAFE: command-injection
        pb.directory(new java.io.File("/srv/shop"));
        return Response.ok(drain(pb.start())).build();
    }

    @GET
    @Path("/probe")
    public Response probe(@QueryParam("name") String name) throws IOException {
        List<String> argv = PROBES.get(name);
        if (argv == null) {
            return Response.status(404).build();
        }
        return Response.ok(drain(new ProcessBuilder(argv).start())).build(); // SAFE: command-injection
    }

    @GET
    @Path("/disk")
    public String disk() throws IOException {
        return drain(new ProcessBuilder("sh", "-c", "df -h /var/lib/shop | tail -n 1").start()); // SAFE: command-injection
    }

    @POST
    @Path("/run")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public String run(@FormParam("cmd") String cmd) throws IOException {
        return drain(Runtime.getRuntime().exec(cmd)); // VULN: command-injection
    }

    private List<String> thumbnailCommand(String source, String size) {
        return List.of("/bin/sh", "-c", "convert /var/lib/shop/images/" + source + " -resize " + size + " /tmp/thumb.png");
    }

    @POST
    @Path("/thumbnail")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public String thumbnail(@FormParam("image") String image, @FormParam("size") String size) throws IOException {
        List<String> command = thumbnailCommand(image, size);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start(); // VULN: command-injection
        return drain(p);
    }
}
