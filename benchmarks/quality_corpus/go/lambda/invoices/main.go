// Command invoices is the Lambda behind GET /invoices on API Gateway.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	_ "github.com/lib/pq"
)

var db *sql.DB

type exportJob struct {
	InvoiceID int64  `json:"invoice_id"`
	Format    string `json:"format"`
}

func listInvoices(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	log.Printf("incoming request: %+v", req) // VULN: sensitive-logging
	tenant := req.QueryStringParameters["tenant"]
	year, err := strconv.Atoi(req.QueryStringParameters["year"])
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: 400}, nil
	}
	rows, err := db.QueryContext(ctx, "SELECT id, total FROM invoices WHERE tenant_id = $1 AND year = $2", tenant, year) // SAFE: sql-injection
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: 500}, err
	}
	defer rows.Close()
	status := req.QueryStringParameters["status"]
	var overdue int
	db.QueryRowContext(ctx, "SELECT count(*) FROM invoices WHERE tenant_id = $1 AND status = '"+status+"'", tenant).Scan(&overdue) // VULN: sql-injection
	body, _ := json.Marshal(map[string]int{"overdue": overdue})
	return events.APIGatewayProxyResponse{StatusCode: 200, Body: string(body)}, nil
}

func downloadInvoice(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	name := req.QueryStringParameters["file"]
	data, err := os.ReadFile(filepath.Join("/tmp/exports", name)) // VULN: path-traversal
	if err != nil {
		page := "<html><body><h2>Invoice " + name + " not found</h2></body></html>"
		return events.APIGatewayProxyResponse{StatusCode: 404, Headers: map[string]string{"Content-Type": "text/html"}, Body: page}, nil // VULN: xss
	}
	return events.APIGatewayProxyResponse{StatusCode: 200, Body: string(data), IsBase64Encoded: false}, nil
}

func notify(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	callback := req.QueryStringParameters["callback"]
	resp, err := http.Get(callback) // VULN: ssrf
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: 502}, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return events.APIGatewayProxyResponse{StatusCode: 200, Body: string(b)}, nil
}

func handleExportQueue(ctx context.Context, ev events.SQSEvent) error {
	for _, rec := range ev.Records {
		var job exportJob
		if err := json.Unmarshal([]byte(rec.Body), &job); err != nil { // SAFE: deserialization
			log.Printf("skipping malformed message %s", rec.MessageId)
			continue
		}
		log.Printf("exporting invoice %d as %s", job.InvoiceID, strconv.Quote(job.Format)) // SAFE: log-injection
	}
	return nil
}

func router(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	switch req.Resource {
	case "/invoices":
		return listInvoices(ctx, req)
	case "/invoices/download":
		return downloadInvoice(ctx, req)
	case "/invoices/notify":
		return notify(ctx, req)
	}
	return events.APIGatewayProxyResponse{StatusCode: 404, Body: fmt.Sprintf("no route for %s", req.Resource)}, nil
}

func main() {
	var err error
	db, err = sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	if os.Getenv("MODE") == "queue" {
		lambda.Start(handleExportQueue)
		return
	}
	lambda.Start(router)
}
