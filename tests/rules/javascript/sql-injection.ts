import { Request, Response } from "express";
import { Pool } from "pg";

const pool = new Pool();

export async function getUser(req: Request, res: Response): Promise<void> {
  const id = req.params.id as string;
  // ruleid: js-sql-injection
  const result = await pool.query(`SELECT * FROM users WHERE id = '${id}'`);
  // ok: js-sql-injection
  const safe = await pool.query<{ id: number }>("SELECT * FROM users WHERE id = $1", [id]);
  res.json({ a: result.rows, b: safe.rows });
}
