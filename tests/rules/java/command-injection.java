package com.example.ops;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

public class PingServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String host = request.getParameter("host");
        // ruleid: java-command-injection-runtime-exec
        Process p = Runtime.getRuntime().exec("ping -c 1 " + host);
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
        response.getWriter().println(r.readLine());
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String file = request.getParameter("file");
        String[] cmd = {"/bin/sh", "-c", "cat /var/log/app/" + file};
        Runtime rt = Runtime.getRuntime();
        // ruleid: java-command-injection-runtime-exec
        rt.exec(cmd);

        // ruleid: java-command-injection-runtime-exec
        Runtime.getRuntime().exec(new String[] {"bash", "-c", "tar czf /tmp/out.tgz " + file});

        // ok: java-command-injection-runtime-exec
        Runtime.getRuntime().exec(new String[] {"ls", "-l", file});

        // ok: java-command-injection-runtime-exec
        Runtime.getRuntime().exec("uptime");

        int count = Integer.parseInt(request.getParameter("count"));
        // ok: java-command-injection-runtime-exec
        Runtime.getRuntime().exec("ping -c " + count + " localhost");
    }

    public static void main(String[] args) throws IOException {
        String target = args[0];
        // ruleid: java-command-injection-runtime-exec
        Runtime.getRuntime().exec("nslookup " + target);
    }
}

@RestController
class ToolsController {
    @PostMapping("/convert")
    public String convert(@RequestParam("name") String name) throws IOException, InterruptedException {
        // ruleid: java-command-injection-processbuilder
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "convert /uploads/" + name + " out.png");
        pb.start().waitFor();
        return "ok";
    }

    @PostMapping("/run")
    public void run(@RequestParam String tool) throws IOException {
        // ruleid: java-command-injection-processbuilder
        new ProcessBuilder(tool, "--version").start();
    }

    @PostMapping("/cmd")
    public void cmd(@RequestParam String script) throws IOException {
        ProcessBuilder pb = new ProcessBuilder();
        // ruleid: java-command-injection-processbuilder
        pb.command("cmd.exe", "/c", script);
        pb.start();
    }

    @PostMapping("/list")
    public void list(@RequestParam String dir) throws IOException {
        // ok: java-command-injection-processbuilder
        new ProcessBuilder("ls", "-la", dir).start();
        // ok: java-command-injection-processbuilder
        new ProcessBuilder(Arrays.asList("git", "log", dir)).start();
        // ok: java-command-injection-processbuilder
        new ProcessBuilder("sh", "-c", "ls -la /srv/data").start();
    }

    @PostMapping("/shell")
    public void shell(@RequestParam String command) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add("bash");
        argv.add("-c");
        argv.add(command);
        // ruleid: java-command-injection-processbuilder
        new ProcessBuilder(argv).start();
    }
}
