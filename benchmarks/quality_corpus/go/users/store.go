// Package users is the account service (gorilla/mux + sqlx).
package users

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gorilla/mux"
	"github.com/jmoiron/sqlx"
	"go.uber.org/zap"
)

type User struct {
	ID       int64  `db:"id" json:"id"`
	Username string `db:"username" json:"username"`
	Email    string `db:"email" json:"email"`
	Role     string `db:"role" json:"role"`
}

type Server struct {
	db  *sqlx.DB
	log *zap.Logger // JSON encoder
}

func (s *Server) Routes(r *mux.Router) {
	r.HandleFunc("/users/{id:[0-9]+}", s.getByID).Methods("GET")
	r.HandleFunc("/users/by-name/{username}", s.getByName).Methods("GET")
	r.HandleFunc("/users", s.search).Methods("GET")
	r.HandleFunc("/users/{id:[0-9]+}/role", s.updateRole).Methods("PUT")
	r.HandleFunc("/users/bulk", s.bulk).Methods("POST")
	r.HandleFunc("/users/{id:[0-9]+}/api-key", s.rotateKey).Methods("POST")
}

func (s *Server) getByID(w http.ResponseWriter, r *http.Request) {
	var u User
	if err := s.db.Get(&u, "SELECT id, username, email, role FROM users WHERE id = $1", mux.Vars(r)["id"]); err != nil { // SAFE: sql-injection
		http.NotFound(w, r)
		return
	}
	json.NewEncoder(w).Encode(u)
}

func (s *Server) getByName(w http.ResponseWriter, r *http.Request) {
	vars := mux.Vars(r)
	var u User
	if err := s.db.Get(&u, "SELECT id, username, email, role FROM users WHERE username = '"+vars["username"]+"'"); err != nil { // VULN: sql-injection
		http.NotFound(w, r)
		return
	}
	json.NewEncoder(w).Encode(u)
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	var sb strings.Builder
	sb.WriteString("SELECT id, username, email, role FROM users WHERE 1=1")
	if email := r.URL.Query().Get("email"); email != "" {
		sb.WriteString(" AND email = '" + email + "'")
	}
	if role := r.URL.Query().Get("role"); role != "" {
		sb.WriteString(" AND role = '" + role + "'")
	}
	var users []User
	if err := s.db.Select(&users, sb.String()); err != nil { // VULN: sql-injection
		http.Error(w, "search failed", http.StatusInternalServerError)
		return
	}
	s.log.Info("user search", zap.String("email", r.URL.Query().Get("email"))) // SAFE: log-injection
	json.NewEncoder(w).Encode(users)
}

func (s *Server) updateRole(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Role string `json:"role"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	args := map[string]interface{}{"role": body.Role, "id": mux.Vars(r)["id"]}
	if _, err := s.db.NamedExec("UPDATE users SET role = :role WHERE id = :id", args); err != nil { // SAFE: sql-injection
		http.Error(w, "update failed", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) bulk(w http.ResponseWriter, r *http.Request) {
	var body struct {
		IDs []int64 `json:"ids"`
	}
	json.NewDecoder(r.Body).Decode(&body)
	query, args, err := sqlx.In("SELECT id, username, email, role FROM users WHERE id IN (?)", body.IDs)
	if err != nil {
		http.Error(w, "bad ids", http.StatusBadRequest)
		return
	}
	var users []User
	s.db.Select(&users, s.db.Rebind(query), args...) // SAFE: sql-injection
	json.NewEncoder(w).Encode(users)
}

func (s *Server) rotateKey(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	key := r.Header.Get("X-New-Api-Key")
	s.db.MustExec("UPDATE users SET api_key_hash = crypt($1, gen_salt('bf')) WHERE id = $2", key, id)
	s.log.Info("api key rotated", zap.String("user_id", id), zap.String("api_key", key))   // VULN: sensitive-logging
	s.log.Info("api key rotated", zap.String("user_id", id), zap.Int("key_len", len(key))) // SAFE: sensitive-logging
	w.WriteHeader(http.StatusNoContent)
}
