/**
 * Set before each test file loads the AWS SDK. The SDK warns once per loaded copy that its versions
 * after January 2027 will require Node 22; jest loads it again for every file, so on Node 20 (the
 * machines' default for development) the same warning would fill the output dozens of times. The app
 * itself still says it once at start-up, and on Node 22 (CI) there is nothing to say.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
