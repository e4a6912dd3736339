package com.acme.shop.reviews;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.util.List;
import org.apache.commons.text.StringEscapeUtils;
import org.owasp.encoder.Encode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Public review widget embedded on product pages (JAX-RS). */
@Path("/reviews")
public class ReviewResource {

    private static final Logger log = LoggerFactory.getLogger(ReviewResource.class);

    public record Review(long id, String author, String text, int stars) {}

    private final ReviewStore store;

    public ReviewResource(ReviewStore store) {
        this.store = store;
    }

    public interface ReviewStore {
        List<Review> forProduct(String productId);
    }

    @GET
    @Path("/widget/{productId}")
    @Produces(MediaType.TEXT_HTML)
    public String widget(@PathParam("productId") String productId, @QueryParam("highlight") String highlight) {
        StringBuilder html = new StringBuilder("<div class=\"reviews\">");
        if (highlight != null) {
            html.append("<p class=\"hl\">Showing reviews mentioning <b>").append(highlight).append("</b></p>");
        }
        for (Review r : store.forProduct(productId)) {
            html.append("<blockquote>").append(Encode.forHtml(r.text())).append("</blockquote>");
        }
        return html.append("</div>").toString(); // VULN: xss
    }

    @GET
    @Path("/widget/v2/{productId}")
    @Produces(MediaType.TEXT_HTML)
    public String widgetV2(@PathParam("productId") String productId, @QueryParam("highlight") String highlight) {
        String hl = highlight == null ? "" : "<p class=\"hl\">" + StringEscapeUtils.escapeHtml4(highlight) + "</p>";
        return "<div class=\"reviews\">" + hl + "</div>"; // SAFE: xss
    }

    @GET
    @Path("/count/{productId}")
    @Produces(MediaType.APPLICATION_JSON)
    public String count(@PathParam("productId") String productId) {
        return "{\"product\":\"" + productId.replaceAll("[^A-Za-z0-9-]", "") + "\",\"count\":" + store.forProduct(productId).size() + "}"; // SAFE: xss
    }

    @GET
    @Path("/thanks")
    public void thanks(@QueryParam("name") String name, @Context HttpServletRequest request,
                       @Context HttpServletResponse response) throws IOException {
        log.info("review submitted by {} from {}", Encode.forJava(name), request.getRemoteAddr()); // SAFE: log-injection
        response.setContentType("text/html");
        response.getWriter().print("<h3>Thanks for your review, " + name + "!</h3>"); // VULN: xss
    }

    @GET
    @Path("/report")
    public void report(@QueryParam("reviewId") long reviewId, @QueryParam("reason") String reason,
                       @Context HttpServletResponse response) throws IOException {
        log.warn("review {} reported: {}", reviewId, reason); // VULN: log-injection
        log.warn("review {} reported (reason length {})", reviewId, reason == null ? 0 : reason.length()); // SAFE: log-injection
        response.setContentType("text/html");
        response.getWriter().printf("<p>Review %d was reported. Reason: %s</p>", reviewId, reason); // VULN: xss
    }
}
