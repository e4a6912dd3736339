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

// --- NestJS controllers: parameters bound with @Query / @Param / @Body ---
const ALLOWED_STATES = ["open", "closed"];
const SORTABLE: Record<string, string> = { created: "created_at", total: "total_cents" };

@Controller("invoices")
export class InvoicesController {
  constructor(private readonly dataSource: DataSource, private readonly invoices: Repository<Invoice>) {}

  @Get()
  async list(@Query("state") state: string) {
    // ruleid: js-sql-injection
    return this.dataSource.query(`SELECT * FROM invoices WHERE state = '${state}'`);
  }

  @Get("search")
  async search(@Query("q") q: string) {
    // ruleid: js-sql-injection
    return this.invoices.createQueryBuilder("i").where(`i.number LIKE '%${q}%'`).getMany();
  }

  @Get("search/v2")
  async searchSafe(@Query("q") q: string) {
    // ok: js-sql-injection
    return this.invoices.createQueryBuilder("i").where("i.number LIKE :q", { q: `%${q}%` }).getMany();
  }

  @Post("purge")
  async purge(@Body("before") before: string) {
    const sql = "DELETE FROM invoices WHERE created_at < '" + before + "'";
    // ruleid: js-sql-injection
    return this.invoices.query(sql);
  }

  @Post("state")
  async setState(@Body() body: { state: string; ids: number[] }) {
    if (!ALLOWED_STATES.includes(body.state)) throw new BadRequestException();
    const ids = body.ids.map((n) => Number(n));
    // ok: js-sql-injection
    return this.dataSource.query(`UPDATE invoices SET state = '${body.state}' WHERE id IN (${ids.join(",")})`);
  }

  @Get("sorted")
  async sorted(@Query("sort") sort: string) {
    const column = SORTABLE[sort] || "created_at";
    // ok: js-sql-injection
    return this.dataSource.query(`SELECT * FROM invoices ORDER BY ${column}`);
  }

  @Get(":id")
  async one(@Param("id") id: string) {
    // ok: js-sql-injection
    return this.dataSource.query("SELECT * FROM invoices WHERE id = $1", [id]);
  }
}

// destructured request objects
export const byCustomer = async ({ query }: Request, res: Response) => {
  // ruleid: js-sql-injection
  const rows = await pool.query(`SELECT * FROM orders WHERE customer = '${query.customer}'`);
  res.json(rows);
};
