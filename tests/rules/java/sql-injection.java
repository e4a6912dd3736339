package com.example.web;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import javax.persistence.EntityManager;
import javax.persistence.PersistenceContext;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

public class UserSearchServlet extends HttpServlet {
    private DataSource dataSource;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String name = request.getParameter("name");
        try (Connection conn = dataSource.getConnection()) {
            Statement stmt = conn.createStatement();
            String sql = "SELECT * FROM users WHERE name = '" + name + "'";
            // ruleid: java-sql-injection-jdbc, java-sql-string-concat-statement
            ResultSet rs = stmt.executeQuery(sql);
            while (rs.next()) {
                response.getWriter().println(rs.getInt("id"));
            }
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String order = req.getParameter("order");
        String id = req.getParameter("id");
        try (Connection conn = dataSource.getConnection()) {
            StringBuilder sb = new StringBuilder("SELECT * FROM orders WHERE customer = ?");
            sb.append(" ORDER BY ");
            sb.append(order);
            // ruleid: java-sql-injection-jdbc
            PreparedStatement ps = conn.prepareStatement(sb.toString());
            ps.setString(1, id);
            ps.executeQuery();

            // ok: java-sql-injection-jdbc
            PreparedStatement safe = conn.prepareStatement("SELECT * FROM orders WHERE id = ?");
            safe.setString(1, id);
            safe.executeQuery();

            int limit = Integer.parseInt(req.getParameter("limit"));
            Statement st = conn.createStatement();
            // ok: java-sql-injection-jdbc, java-sql-string-concat-statement
            st.executeQuery("SELECT * FROM orders LIMIT " + limit);

            // ruleid: java-sql-injection-jdbc, java-sql-string-concat-statement
            conn.createStatement().executeUpdate(String.format("DELETE FROM carts WHERE id = '%s'", id) + "");
        } catch (SQLException e) {
            throw new IOException(e);
        }
    }

    private ResultSet findByEmail(Connection conn, String email) throws SQLException {
        Statement st = conn.createStatement();
        // ruleid: java-sql-string-concat-statement
        return st.executeQuery("SELECT id FROM accounts WHERE email = '" + email + "' AND active = 1");
    }

    private static final String TABLE = "accounts";

    private ResultSet countAll(Connection conn) throws SQLException {
        Statement st = conn.createStatement();
        // ok: java-sql-string-concat-statement
        return st.executeQuery("SELECT count(*) FROM " + TABLE);
    }

    private void batch(Connection conn, List<String> names) throws SQLException {
        Statement st = conn.createStatement();
        for (String n : names) {
            String sql = "INSERT INTO audit(name) VALUES ('" + n + "')";
            // ruleid: java-sql-string-concat-statement
            st.addBatch(sql);
        }
        st.executeBatch();
    }
}

@RestController
class ProductController {
    private final JdbcTemplate jdbcTemplate;

    @PersistenceContext
    private EntityManager entityManager;

    ProductController(JdbcTemplate jdbcTemplate) {
        this.jdbcTemplate = jdbcTemplate;
    }

    @GetMapping("/products")
    public List<Map<String, Object>> search(@RequestParam("q") String query) {
        String sql = "SELECT * FROM products WHERE name LIKE '%" + query + "%'";
        // ruleid: java-sql-injection-spring-jdbc
        return jdbcTemplate.queryForList(sql);
    }

    @GetMapping("/products/{id}")
    public Map<String, Object> get(@PathVariable String id) {
        // ok: java-sql-injection-spring-jdbc
        return jdbcTemplate.queryForMap("SELECT * FROM products WHERE id = ?", id);
    }

    @GetMapping("/products/{id}/price")
    public Integer price(@PathVariable Long id) {
        // ok: java-sql-injection-spring-jdbc
        return jdbcTemplate.queryForObject("SELECT price FROM products WHERE id = " + id, Integer.class);
    }

    @GetMapping("/products/delete")
    public void delete(@RequestParam String sku) {
        // ruleid: java-sql-injection-spring-jdbc
        this.jdbcTemplate.update("DELETE FROM products WHERE sku = '" + sku + "'");
    }

    @GetMapping("/products/by-category")
    public List<?> byCategory(@RequestParam String category) {
        // ruleid: java-sql-injection-jpa
        return entityManager.createQuery("SELECT p FROM Product p WHERE p.category = '" + category + "'").getResultList();
    }

    @GetMapping("/products/native")
    public List<?> nativeSearch(@RequestParam String tag) {
        String q = "SELECT * FROM product WHERE tag = '" + tag + "'";
        // ruleid: java-sql-injection-jpa
        return entityManager.createNativeQuery(q).getResultList();
    }

    @GetMapping("/products/safe")
    public List<?> safeSearch(@RequestParam String category) {
        // ok: java-sql-injection-jpa
        return entityManager.createQuery("SELECT p FROM Product p WHERE p.category = :cat")
                .setParameter("cat", category)
                .getResultList();
    }

    public String helper(String name) {
        // ok: java-sql-injection-spring-jdbc
        return jdbcTemplate.queryForObject("SELECT id FROM t WHERE name = ?", String.class, name);
    }
}
