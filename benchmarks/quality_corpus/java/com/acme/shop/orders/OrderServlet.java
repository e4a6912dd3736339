package com.acme.shop.orders;

import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.owasp.encoder.Encode;

@WebServlet(urlPatterns = {"/orders/search", "/orders/view", "/orders/back"})
public class OrderServlet extends HttpServlet {

    private static final Set<String> SORTABLE = Set.of("created_at", "total_cents", "status");
    private static final Map<String, String> RETURN_PAGES = Map.of(
            "cart", "/cart",
            "account", "/account/orders",
            "home", "/");

    private DataSource dataSource;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        switch (request.getServletPath()) {
            case "/orders/search" -> search(request, response);
            case "/orders/view" -> view(request, response);
            default -> back(request, response);
        }
    }

    private void search(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String customer = request.getParameter("customer");
        String sort = request.getParameter("sort");
        if (sort == null || !SORTABLE.contains(sort)) {
            sort = "created_at";
        }
        String sql = "SELECT id, customer, total_cents FROM orders WHERE customer = '" + customer + "' ORDER BY " + sort;
        response.setContentType("text/html;charset=UTF-8");
        PrintWriter out = response.getWriter();
        try (Connection conn = dataSource.getConnection(); Statement st = conn.createStatement()) {
            ResultSet rs = st.executeQuery(sql); // VULN: sql-injection
            out.write("<h2>Orders for " + customer + "</h2><ul>"); // VULN: xss
            while (rs.next()) {
                out.write("<li>#" + rs.getLong("id") + " - " + rs.getLong("total_cents") + "</li>");
            }
            out.write("</ul>");
        } catch (SQLException e) {
            response.sendError(500);
        }
    }

    private void view(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String orderId = request.getParameter("id");
        response.setContentType("text/html;charset=UTF-8");
        PrintWriter out = response.getWriter();
        String sql = "SELECT customer, status FROM orders WHERE id = ?";
        try (Connection conn = dataSource.getConnection(); PreparedStatement ps = conn.prepareStatement(sql)) { // SAFE: sql-injection
            ps.setString(1, orderId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    out.println("<p>No order " + Encode.forHtml(orderId) + "</p>"); // SAFE: xss
                    return;
                }
                out.println("<h2>Order " + Encode.forHtml(orderId) + " for " + Encode.forHtml(rs.getString("customer")) + "</h2>"); // SAFE: xss
            }
        } catch (SQLException e) {
            response.sendError(500);
        }
    }

    private void back(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String returnTo = request.getParameter("returnTo");
        if (returnTo != null && !returnTo.isEmpty()) {
            response.sendRedirect(returnTo); // VULN: open-redirect
            return;
        }
        String page = RETURN_PAGES.getOrDefault(request.getParameter("page"), "/");
        response.sendRedirect(request.getContextPath() + page); // SAFE: open-redirect
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String orderId = request.getParameter("id");
        String note = request.getParameter("note");
        try (Connection conn = dataSource.getConnection(); Statement st = conn.createStatement()) {
            st.executeUpdate("UPDATE orders SET note = '" + note + "' WHERE id = " + orderId); // VULN: sql-injection
        } catch (SQLException e) {
            response.sendError(500);
            return;
        }
        response.setContentType("text/plain;charset=UTF-8");
        response.getWriter().write("Saved note: " + note); // SAFE: xss
    }
}
