export { resolveBehaviours } from './behaviourSettings.js';
export { DurationError, formatDuration, parseDuration } from './duration.js';
export {
  ConfigError,
  type ConfigOverrides,
  DEFAULT_LIMITS,
  DEFAULT_TIMEOUTS,
  type GatewayConfig,
  type Limits,
  parseConfigText,
  parseListen,
  readConfigFile,
  resolveGatewayConfig,
  type Timeouts,
} from './gatewayConfig.js';
export { DEFAULT_HONEYPOT, HONEYPOT_THREATS, type HoneypotSettings, resolveHoneypot } from './honeypotSettings.js';
export { type ConfigFile, ConfigFileSchema } from './schema.js';
