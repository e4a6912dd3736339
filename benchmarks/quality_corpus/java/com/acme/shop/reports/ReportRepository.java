package com.acme.shop.reports;

import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.TypedQuery;
import jakarta.persistence.criteria.CriteriaBuilder;
import jakarta.persistence.criteria.CriteriaQuery;
import jakarta.persistence.criteria.Root;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Repository;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@Repository
public class ReportRepository {

    private static final Map<String, String> ORDER_COLUMNS = Map.of(
            "date", "o.createdAt",
            "total", "o.totalCents",
            "customer", "o.customer.lastName");

    @PersistenceContext
    private EntityManager em;

    /** Called from ReportController#byStatus with the raw ?status= value. */
    public List<OrderEntity> findByStatus(String status) {
        String jpql = "SELECT o FROM OrderEntity o WHERE o.status = '" + status + "'";
        return em.createQuery(jpql, OrderEntity.class).getResultList(); // VULN: sql-injection
    }

    /** Called from ReportController#byCustomer with the raw ?email= value. */
    public List<OrderEntity> findByCustomerEmail(String email) {
        TypedQuery<OrderEntity> q = em.createQuery("SELECT o FROM OrderEntity o WHERE o.customer.email = :email", OrderEntity.class); // SAFE: sql-injection
        q.setParameter("email", email);
        return q.getResultList();
    }

    /** Called from ReportController#sorted with ?sort=... (allow-listed) */
    public List<OrderEntity> findAllSorted(String sortKey, boolean desc) {
        String column = ORDER_COLUMNS.getOrDefault(sortKey, "o.createdAt");
        String jpql = "SELECT o FROM OrderEntity o ORDER BY " + column + (desc ? " DESC" : " ASC");
        return em.createQuery(jpql, OrderEntity.class).setMaxResults(500).getResultList(); // SAFE: sql-injection
    }

    /** Called from ReportController#revenue with ?region= and ?groupBy= straight from the request. */
    @SuppressWarnings("unchecked")
    public List<Object[]> revenueByRegion(String region, String groupBy) {
        String sql = String.format(
                "SELECT %s, SUM(total_cents) FROM orders WHERE region = '%s' GROUP BY %s", groupBy, region, groupBy);
        return em.createNativeQuery(sql).getResultList(); // VULN: sql-injection
    }

    /** Called from ReportController#daily with a LocalDate parsed by Spring. */
    @SuppressWarnings("unchecked")
    public List<Object[]> dailyTotals(LocalDate from, LocalDate to) {
        return em.createNativeQuery("SELECT day, total FROM daily_totals WHERE day BETWEEN ?1 AND ?2") // SAFE: sql-injection
                .setParameter(1, from)
                .setParameter(2, to)
                .getResultList();
    }

    private String tenantFilter(String tenant) {
        return " AND o.tenantId = '" + tenant + "'";
    }

    /** Called with the X-Tenant header. */
    public long countOpen(String tenantHeader) {
        String jpql = "SELECT COUNT(o) FROM OrderEntity o WHERE o.status = 'OPEN'" + tenantFilter(tenantHeader);
        return em.createQuery(jpql, Long.class).getSingleResult(); // VULN: sql-injection
    }

    /** Criteria API search used by the admin grid. */
    public List<OrderEntity> searchByCustomerName(String name) {
        CriteriaBuilder cb = em.getCriteriaBuilder();
        CriteriaQuery<OrderEntity> cq = cb.createQuery(OrderEntity.class);
        Root<OrderEntity> o = cq.from(OrderEntity.class);
        cq.where(cb.like(cb.lower(o.get("customerName")), "%" + name.toLowerCase() + "%"));
        return em.createQuery(cq).getResultList(); // SAFE: sql-injection
    }
}

@RestController
@RequestMapping("/reports")
class ReportController {

    private final ReportRepository repo;

    ReportController(ReportRepository repo) {
        this.repo = repo;
    }

    @GetMapping("/by-status")
    List<OrderEntity> byStatus(@RequestParam String status) {
        return repo.findByStatus(status);
    }

    @GetMapping("/by-customer")
    List<OrderEntity> byCustomer(@RequestParam String email) {
        return repo.findByCustomerEmail(email);
    }

    @GetMapping("/sorted")
    List<OrderEntity> sorted(@RequestParam String sort,
                             @RequestParam(defaultValue = "false") boolean desc) {
        return repo.findAllSorted(sort, desc);
    }

    @GetMapping("/revenue")
    List<Object[]> revenue(@RequestParam String region,
                           @RequestParam(defaultValue = "country") String groupBy) {
        return repo.revenueByRegion(region, groupBy);
    }

    @GetMapping("/daily")
    List<Object[]> daily(@RequestParam LocalDate from,
                         @RequestParam LocalDate to) {
        return repo.dailyTotals(from, to);
    }

    @GetMapping("/open-count")
    long openCount(@RequestHeader("X-Tenant") String tenant) {
        return repo.countOpen(tenant);
    }

    @GetMapping("/customers")
    List<OrderEntity> customers(@RequestParam String name) {
        return repo.searchByCustomerName(name);
    }
}
