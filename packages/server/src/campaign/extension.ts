import type { ServerExtension } from '../extensions.js';
import { campaignCommand, campaignUsage } from './cli.js';
import { registerCampaignRoutes } from './routes.js';

/**
 * The campaign module as the server sees it: its operator routes and its CLI command. Its tables
 * (migration 0100-campaign) are in the core migration list, so every open of a store has them.
 */
export const campaignExtension: ServerExtension = {
  name: 'campaign',
  routes: registerCampaignRoutes,
  commands: { campaign: campaignCommand },
  usage: campaignUsage,
};
