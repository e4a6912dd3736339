package com.acme.shop.reports;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "orders")
public class OrderEntity {
    @Id
    private Long id;
    private String status;
    private String tenantId;
    private String customerName;
    private long totalCents;
    private Instant createdAt;

    public Long getId() {
        return id;
    }

    public String getStatus() {
        return status;
    }

    public long getTotalCents() {
        return totalCents;
    }
}
