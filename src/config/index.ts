export { type AbuseConfig, parseMailbox, resolveAbuseConfig, type SmtpConfig } from './abuseConfig.js';
export type { BanFirewall } from './banFirewall.js';
export { resolveBehaviours } from './behaviourSettings.js';
export { type CrsFlags, type CrsSettings, CrsSettingsError, resolveCrs } from './crsSettings.js';
export { DurationError, formatDuration, parseDuration } from './duration.js';
export {
  ConfigError,
  type ConfigOverrides,
  type DashboardConfig,
  DEFAULT_DASHBOARD_LISTEN,
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
export { type ConfigFile, ConfigFileSchema, FIREWALL_KINDS } from './schema.js';
