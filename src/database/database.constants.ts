/** DI token of the migration classes the app runs: provided by `DatabaseModule.forRoot({ migrations })`. */
export const DATABASE_MIGRATIONS = Symbol('DATABASE_MIGRATIONS');
