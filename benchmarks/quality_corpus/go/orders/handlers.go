// Package orders exposes the order search and receipt endpoints of the shop backend.
package orders

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"html"
	"log"
	"net/http"
	"strconv"
)

type Handler struct {
	DB *sql.DB
}

type Order struct {
	ID       int64   `json:"id"`
	Customer string  `json:"customer"`
	Status   string  `json:"status"`
	Total    float64 `json:"total"`
}

var sortColumns = map[string]string{
	"created": "created_at",
	"total":   "total_cents",
	"status":  "status",
}

func scanOrders(rows *sql.Rows) ([]Order, error) {
	defer rows.Close()
	var out []Order
	for rows.Next() {
		var o Order
		if err := rows.Scan(&o.ID, &o.Customer, &o.Status, &o.Total); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// GET /orders/search?customer=...
func (h *Handler) Search(w http.ResponseWriter, r *http.Request) {
	customer := r.URL.Query().Get("customer")
	log.Printf("order search for customer %s", customer) // VULN: log-injection
	query := fmt.Sprintf("SELECT id, customer, status, total FROM orders WHERE customer = '%s'", customer)
	rows, err := h.DB.Query(query) // VULN: sql-injection
	if err != nil {
		http.Error(w, "search failed", http.StatusInternalServerError)
		return
	}
	orders, _ := scanOrders(rows)
	json.NewEncoder(w).Encode(orders)
}

// GET /orders/by-status?status=...
func (h *Handler) ByStatus(w http.ResponseWriter, r *http.Request) {
	status := r.FormValue("status")
	rows, err := h.DB.Query("SELECT id, customer, status, total FROM orders WHERE status = $1", status) // SAFE: sql-injection
	if err != nil {
		http.Error(w, "query failed", http.StatusInternalServerError)
		return
	}
	orders, _ := scanOrders(rows)
	json.NewEncoder(w).Encode(orders)
}

// GET /orders?sort=created&limit=20
func (h *Handler) List(w http.ResponseWriter, r *http.Request) {
	col, ok := sortColumns[r.URL.Query().Get("sort")]
	if !ok {
		col = "created_at"
	}
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || limit <= 0 || limit > 100 {
		limit = 20
	}
	q := fmt.Sprintf("SELECT id, customer, status, total FROM orders ORDER BY %s DESC LIMIT %d", col, limit)
	rows, err := h.DB.Query(q) // SAFE: sql-injection
	if err != nil {
		http.Error(w, "query failed", http.StatusInternalServerError)
		return
	}
	orders, _ := scanOrders(rows)
	json.NewEncoder(w).Encode(orders)
}

type noteRequest struct {
	OrderID string `json:"order_id"`
	Note    string `json:"note"`
}

// POST /orders/note
func (h *Handler) AddNote(w http.ResponseWriter, r *http.Request) {
	var req noteRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	stmt := "UPDATE orders SET note = '" + req.Note + "' WHERE id = " + req.OrderID
	if _, err := h.DB.Exec(stmt); err != nil { // VULN: sql-injection
		http.Error(w, "update failed", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func likeFilter(field, value string) string {
	return field + " LIKE '%" + value + "%'"
}

// GET /orders/count?q=...
func (h *Handler) Count(w http.ResponseWriter, r *http.Request) {
	where := likeFilter("customer", r.URL.Query().Get("q"))
	var n int
	if err := h.DB.QueryRow("SELECT count(*) FROM orders WHERE " + where).Scan(&n); err != nil { // VULN: sql-injection
		http.Error(w, "count failed", http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(w, "%d", n)
}

// GET /orders/thanks?name=...&ref=...
func (h *Handler) Receipt(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<h1>Thanks for your order, %s!</h1>", name)                               // VULN: xss
	fmt.Fprintf(w, "<p>Order reference: %s</p>", html.EscapeString(r.URL.Query().Get("ref"))) // SAFE: xss
}

// GET /orders/echo?customer=...
func (h *Handler) Echo(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"customer": r.URL.Query().Get("customer")}) // SAFE: xss
}
