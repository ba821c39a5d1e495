// `npm run db:migrate`: applies migrations to DATABASE_URL, or to the embedded cluster in DATA_DIR.
import '../runtime-check.js';
import { createLogger } from '../logger.js';
import { loadConfigOrExit } from '../process-lifecycle.js';
import { provisionDatabase } from './provision.js';

const config = loadConfigOrExit();
const logger = createLogger(config);
const database = await provisionDatabase(config, logger);
logger.info(`migrations applied (${database.description})`);
await database.shutdown();
