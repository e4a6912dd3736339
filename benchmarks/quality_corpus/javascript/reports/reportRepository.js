'use strict';

const { Pool } = require('pg');
const knex = require('knex')({ client: 'pg', connection: process.env.DATABASE_URL });
const { Sequelize, QueryTypes } = require('sequelize');

const pool = new Pool({ connectionString: process.env.DATABASE_URL });
const sequelize = new Sequelize(process.env.DATABASE_URL, { logging: false });

class ReportRepository {
  async findUserByEmail(email) {
    const { rows } = await pool.query("SELECT id, email, role FROM users WHERE email = '" + email + "'"); // VULN: sql-injection
    return rows[0];
  }

  async findUserById(id) {
    const { rows } = await pool.query('SELECT id, email, role FROM users WHERE id = $1', [id]); // SAFE: sql-injection
    return rows[0];
  }

  async revenueByRegion(region, year) {
    const text = `SELECT region, SUM(amount) AS revenue FROM sales WHERE region = '${region}' AND EXTRACT(YEAR FROM sold_at) = ${year} GROUP BY region`;
    const result = await pool.query({ text, rowMode: 'array' }); // VULN: sql-injection
    return result.rows;
  }

  async searchProducts(term) {
    return knex.raw(`SELECT id, name FROM products WHERE name ILIKE '%${term}%' LIMIT 25`); // VULN: sql-injection
  }

  async searchProductsSafe(term) {
    return knex.raw('SELECT id, name FROM products WHERE name ILIKE ? LIMIT 25', [`%${term}%`]); // SAFE: sql-injection
  }

  async productsInCategory(category) {
    return knex('products').where({ category }).select('id', 'name', 'price'); // SAFE: sql-injection
  }

  async invoicesForCustomer(customerId) {
    return sequelize.query(`SELECT * FROM invoices WHERE customer_id = ${customerId}`, { type: QueryTypes.SELECT }); // VULN: sql-injection
  }

  async invoicesForCustomerSafe(customerId) {
    return sequelize.query('SELECT * FROM invoices WHERE customer_id = :customerId', { replacements: { customerId }, type: QueryTypes.SELECT }); // SAFE: sql-injection
  }
}

const repo = new ReportRepository();

function registerReportRoutes(app) {
  app.get('/reports/user', async (req, res) => {
    res.json(await repo.findUserByEmail(req.query.email));
  });

  app.get('/reports/user/:id', async (req, res) => {
    res.json(await repo.findUserById(req.params.id));
  });

  app.get('/reports/revenue', async (req, res) => {
    res.json(await repo.revenueByRegion(req.query.region, req.query.year));
  });

  app.get('/reports/products', async (req, res) => {
    const rows = req.query.legacy ? await repo.searchProducts(req.query.q) : await repo.searchProductsSafe(req.query.q);
    res.json(rows);
  });

  app.get('/reports/category/:category', async (req, res) => {
    res.json(await repo.productsInCategory(req.params.category));
  });

  app.get('/reports/invoices', async (req, res) => {
    res.json(await repo.invoicesForCustomer(req.query.customerId));
  });

  app.get('/reports/invoices/v2', async (req, res) => {
    res.json(await repo.invoicesForCustomerSafe(req.query.customerId));
  });
}

module.exports = { ReportRepository, registerReportRoutes };
