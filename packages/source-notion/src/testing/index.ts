// A faithful fake of the Notion API endpoints Kurultai uses, for tests of Notion integrations with the real client.
export {
  FAKE_NOTION_VERSION,
  startFakeNotionServer,
  type FakeEndpoint,
  type FakeFault,
  type FakeFaultTarget,
  type FakeNotionServer,
  type FakeNotionServerOptions,
  type FakeRequest,
} from './fake-notion-server.js';
export {
  FakeNotionWorkspace,
  roundDownToMinute,
  type FakeDate,
  type FakeFile,
  type FakePropertyInput,
  type FakePropertySchema,
  type FakeUser,
  type FakeNotionWorkspaceOptions,
} from './fake-notion-workspace.js';
export { NOTION_RATE_LIMIT, type FakeRateLimit } from './fake-rate-limiter.js';
export { createTaskBoard, TASK_BOARD_PROPERTIES, TASK_BOARD_STATUSES } from './task-board.js';
