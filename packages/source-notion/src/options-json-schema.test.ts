import { describeShippedOptionsSchema } from '@kurultai/core/testing';
import plugin from './index.js';

describeShippedOptionsSchema(plugin, new URL('../', import.meta.url));
