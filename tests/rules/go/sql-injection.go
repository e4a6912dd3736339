package rules

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/gin-gonic/gin"
	"github.com/gorilla/mux"
	"github.com/jmoiron/sqlx"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

type Server struct {
	db   *sql.DB
	dbx  *sqlx.DB
	gorm *gorm.DB
}

type User struct {
	ID   int
	Name string
}

const usersTable = "users"

func (s *Server) searchUsers(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	query := "SELECT id, name FROM users WHERE name = '" + name + "'"
	// ruleid: go-sql-injection-taint, go-sql-format-string
	rows, err := s.db.Query(query)
	if err != nil {
		http.Error(w, "db error", 500)
		return
	}
	defer rows.Close()
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	var u User
	// ruleid: go-sql-injection-taint, go-sql-format-string
	err := s.db.QueryRow(fmt.Sprintf("SELECT id, name FROM users WHERE id = %s", id)).Scan(&u.ID, &u.Name)
	if err != nil {
		http.NotFound(w, r)
	}
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	user := r.FormValue("user")
	q := fmt.Sprintf("DELETE FROM sessions WHERE username = '%s'", user)
	// ruleid: go-sql-injection-taint, go-sql-format-string
	if _, err := s.db.ExecContext(ctx, q); err != nil {
		http.Error(w, "failed", 500)
	}
}

type searchReq struct {
	Term string `json:"term"`
	Sort string `json:"sort"`
}

func (s *Server) searchJSON(w http.ResponseWriter, r *http.Request) {
	var req searchReq
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", 400)
		return
	}
	var users []User
	// ruleid: go-sql-injection-taint
	s.dbx.Select(&users, "SELECT * FROM users WHERE name LIKE '%"+req.Term+"%' ORDER BY "+req.Sort)
	json.NewEncoder(w).Encode(users)
}

func (s *Server) rawBody(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	var in searchReq
	if err := json.Unmarshal(body, &in); err != nil {
		return
	}
	var u User
	// ruleid: go-sql-injection-taint, go-sql-format-string
	s.dbx.Get(&u, "SELECT * FROM users WHERE name = '"+in.Term+"'")
}

func (s *Server) ginHandler(c *gin.Context) {
	sortBy := c.DefaultQuery("sort", "id")
	var users []User
	// ruleid: go-sql-injection-taint
	s.gorm.Order(sortBy).Find(&users)

	name := c.Param("name")
	// ruleid: go-sql-injection-taint, go-sql-format-string
	s.gorm.Raw("SELECT * FROM users WHERE name = '" + name + "'").Scan(&users)

	// ruleid: go-sql-injection-taint
	s.gorm.Where(fmt.Sprintf("name LIKE '%%%s%%'", c.PostForm("q"))).Find(&users)

	var body User
	if err := c.ShouldBindJSON(&body); err != nil {
		return
	}
	// ruleid: go-sql-injection-taint, go-sql-format-string
	s.dbx.MustExec("UPDATE users SET name = '" + body.Name + "' WHERE id = 1")
}

func (s *Server) echoHandler(c echo.Context) error {
	table := c.QueryParam("table")
	stmt := "SELECT count(*) FROM " + table
	var n int
	// ruleid: go-sql-injection-taint
	return s.db.QueryRowContext(c.Request().Context(), stmt).Scan(&n)
}

func (s *Server) lambdaHandler(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	email := req.QueryStringParameters["email"]
	sqlText := fmt.Sprintf("SELECT id FROM accounts WHERE email = '%s'", email)
	// ruleid: go-sql-injection-taint, go-sql-format-string
	rows, err := s.db.QueryContext(ctx, sqlText)
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: 500}, err
	}
	rows.Close()
	return events.APIGatewayProxyResponse{StatusCode: 200}, nil
}

func cliLookup(db *sql.DB) {
	// ruleid: go-sql-injection-taint, go-sql-format-string
	db.Exec("DELETE FROM jobs WHERE name = '" + os.Args[1] + "'")
}

// ---- safe look-alikes ----

func (s *Server) safeSearch(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	// ok: go-sql-injection-taint
	rows, err := s.db.Query("SELECT id, name FROM users WHERE name = ?", name)
	if err != nil {
		return
	}
	rows.Close()
	// ok: go-sql-injection-taint
	s.db.QueryRowContext(r.Context(), "SELECT id FROM users WHERE name = $1", name)
}

func (s *Server) safeInt(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.FormValue("id"))
	if err != nil {
		return
	}
	// ok: go-sql-injection-taint
	s.db.Query(fmt.Sprintf("SELECT * FROM users WHERE id = %d", id))
}

func (s *Server) safePrepared(w http.ResponseWriter, r *http.Request) {
	stmt, err := s.db.Prepare("INSERT INTO comments(body) VALUES(?)")
	if err != nil {
		return
	}
	defer stmt.Close()
	// ok: go-sql-injection-taint
	stmt.Exec(r.FormValue("body"))
}

func (s *Server) safeGorm(c *gin.Context) {
	var users []User
	// ok: go-sql-injection-taint
	s.gorm.Where("name = ?", c.Query("name")).Find(&users)
	// ok: go-sql-injection-taint
	s.gorm.Where(&User{Name: c.Query("name")}).Find(&users)
	// ok: go-sql-injection-taint
	s.gorm.Raw("SELECT * FROM users WHERE name = @name", map[string]interface{}{"name": c.Query("name")}).Scan(&users)
}

func (s *Server) safeSqlxIn(w http.ResponseWriter, r *http.Request) {
	ids := r.URL.Query()["id"]
	query, args, err := sqlx.In("SELECT * FROM users WHERE id IN (?)", ids)
	if err != nil {
		return
	}
	query = s.dbx.Rebind(query)
	var users []User
	// ok: go-sql-injection-taint
	s.dbx.Select(&users, query, args...)
}

func (s *Server) safePlaceholders(w http.ResponseWriter, r *http.Request) {
	ids := r.URL.Query()["id"]
	placeholders := make([]string, len(ids))
	args := make([]interface{}, len(ids))
	for i, id := range ids {
		placeholders[i] = "?"
		args[i] = id
	}
	// ok: go-sql-injection-taint, go-sql-format-string
	s.db.Query(fmt.Sprintf("SELECT * FROM users WHERE id IN (%s)", strings.Join(placeholders, ",")), args...)
}

func constantTable(db *sql.DB) {
	// ok: go-sql-format-string
	db.Query(fmt.Sprintf("SELECT * FROM %s", usersTable))
	// ok: go-sql-format-string
	db.Query(fmt.Sprintf("SELECT * FROM %s WHERE id = $1", "orders"), 5)
}

func formattedFromConfig(db *sql.DB, schema string) {
	// ruleid: go-sql-format-string
	db.Exec(fmt.Sprintf("DELETE FROM %s.sessions WHERE expired = true", schema))
}

func limitOnly(db *sql.DB, limit int) {
	// ok: go-sql-format-string
	db.Query(fmt.Sprintf("SELECT * FROM users LIMIT %d", limit))
}

func findByEmail(db *sql.DB, email string) (*sql.Rows, error) {
	// ruleid: go-sql-format-string
	return db.Query("SELECT id FROM users WHERE email = '" + email + "'")
}

func orderBy(db *sql.DB, column string) (*sql.Rows, error) {
	// ok: go-sql-format-string
	return db.Query("SELECT id FROM users ORDER BY " + column)
}

func byID(db *sql.DB, id int) (*sql.Rows, error) {
	// ok: go-sql-format-string
	return db.Query("SELECT id FROM users WHERE id = " + strconv.Itoa(id))
}

var orderColumns = map[string]string{"created": "created_at", "total": "total_cents"}

func listSorted(db *sql.DB, r *http.Request) {
	col, ok := orderColumns[r.URL.Query().Get("sort")]
	if !ok {
		col = "created_at"
	}
	limit, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil {
		limit = 20
	}
	q := fmt.Sprintf("SELECT id FROM orders ORDER BY %s DESC LIMIT %d", col, limit)
	// ok: go-sql-format-string
	db.Query(q)
}

func listSortedBad(db *sql.DB, r *http.Request) {
	col, ok := orderColumns[r.URL.Query().Get("sort")]
	if !ok {
		col = "created_at"
	}
	q := fmt.Sprintf("SELECT id FROM orders WHERE owner = '%s' ORDER BY %s", r.FormValue("owner"), col)
	// ruleid: go-sql-format-string, go-sql-injection-taint
	db.Query(q)
}
