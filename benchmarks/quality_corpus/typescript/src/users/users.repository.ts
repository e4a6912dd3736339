import { Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { User } from './user.entity';

export interface UserFilter {
  email?: string;
  sortBy?: string;
  role?: string;
}

const SORT_COLUMNS: Record<string, string> = { email: 'email', created: 'created_at', name: 'display_name' };

@Injectable()
export class UsersRepository {
  private readonly pool = new Pool({ connectionString: process.env.DATABASE_URL });

  constructor(private readonly dataSource: DataSource) {}

  async findByEmail(email: string): Promise<User | undefined> {
    const { rows } = await this.pool.query<User>(`SELECT * FROM users WHERE lower(email) = lower('${email}')`); // VULN: sql-injection
    return rows[0];
  }

  async findByEmailSafe(email: string): Promise<User | undefined> {
    const { rows } = await this.pool.query<User>('SELECT * FROM users WHERE lower(email) = lower($1)', [email]); // SAFE: sql-injection
    return rows[0];
  }

  async list(filter: UserFilter): Promise<User[]> {
    let sql = 'SELECT id, email, display_name FROM users';
    if (filter.role) sql += ` WHERE role = '${filter.role}'`;
    sql += ` ORDER BY ${filter.sortBy ?? 'created_at'}`;
    return this.dataSource.query(sql); // VULN: sql-injection
  }

  async listSorted(filter: UserFilter): Promise<User[]> {
    const column = SORT_COLUMNS[filter.sortBy ?? ''] ?? 'created_at';
    return this.dataSource.getRepository(User).createQueryBuilder('u').where('u.role = :role', { role: filter.role ?? 'member' }).orderBy(`u.${column}`, 'DESC').getMany(); // SAFE: sql-injection
  }
}
