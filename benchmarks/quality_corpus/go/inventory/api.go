// Package inventory implements the warehouse stock API (gin + gorm).
package inventory

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"gorm.io/gorm"
)

type Item struct {
	ID        uint   `json:"id"`
	SKU       string `json:"sku"`
	Name      string `json:"name"`
	Warehouse string `json:"warehouse"`
	Qty       int    `json:"qty"`
}

type API struct {
	db *gorm.DB
}

func New(db *gorm.DB) *API { return &API{db: db} }

func (a *API) Register(r *gin.Engine) {
	r.GET("/items", a.list)
	r.GET("/items/:sku", a.get)
	r.POST("/items/search", a.search)
	r.GET("/items/low-stock", a.lowStock)
	r.DELETE("/items/:sku", a.remove)
	r.GET("/items/banner", a.banner)
}

func (a *API) list(c *gin.Context) {
	var items []Item
	wh := c.Query("warehouse")
	order := c.DefaultQuery("order", "name asc")
	if err := a.db.Where("warehouse = ?", wh).Order(order).Find(&items).Error; err != nil { // VULN: sql-injection
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.JSON(http.StatusOK, items)
}

func (a *API) get(c *gin.Context) {
	sku := c.Param("sku")
	var item Item
	if err := a.db.Where("sku = '" + sku + "'").First(&item).Error; err != nil { // VULN: sql-injection
		c.AbortWithStatus(http.StatusNotFound)
		return
	}
	c.JSON(http.StatusOK, item)
}

func (a *API) search(c *gin.Context) {
	name := c.PostForm("name")
	var byName, fuzzy []Item
	a.db.Raw("SELECT * FROM items WHERE name ILIKE ?", "%"+name+"%").Scan(&byName)                     // SAFE: sql-injection
	a.db.Raw(fmt.Sprintf("SELECT * FROM items WHERE similarity(name, '%s') > 0.4", name)).Scan(&fuzzy) // VULN: sql-injection
	c.JSON(http.StatusOK, gin.H{"exact": byName, "fuzzy": fuzzy})
}

func (a *API) lowStock(c *gin.Context) {
	minQty, err := strconv.Atoi(c.DefaultQuery("min", "5"))
	if err != nil {
		c.AbortWithStatus(http.StatusBadRequest)
		return
	}
	var items []Item
	a.db.Where(fmt.Sprintf("qty < %d", minQty)).Where(&Item{Warehouse: c.Query("warehouse")}).Find(&items) // SAFE: sql-injection
	c.JSON(http.StatusOK, items)
}

func (a *API) remove(c *gin.Context) {
	res := a.db.Exec("DELETE FROM items WHERE sku = ?", c.Param("sku")) // SAFE: sql-injection
	if res.Error != nil {
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.Status(http.StatusNoContent)
}

func (a *API) banner(c *gin.Context) {
	msg := c.Query("msg")
	switch c.Query("format") {
	case "html":
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte("<div class=\"banner\">"+msg+"</div>")) // VULN: xss
	case "page":
		c.HTML(http.StatusOK, "banner.tmpl", gin.H{"Message": msg}) // SAFE: xss
	default:
		c.String(http.StatusOK, "banner: %s", msg) // SAFE: xss
	}
}
