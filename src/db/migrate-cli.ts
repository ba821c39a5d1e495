// `npm run db:migrate`: applies migrations to DATABASE_URL, or to the embedded cluster in DATA_DIR.
import '../runtime-check.js';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { provisionDatabase } from './provision.js';

const config = loadConfig();
const logger = createLogger(config);
const database = await provisionDatabase(config, logger);
logger.info(`migrations applied (${database.description})`);
await database.shutdown();
