import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** A pending first-run setup link (docs/api.md, first-run setup): the SHA-256 of its token and its expiry. */
export class AdminSetupToken extends Model<InferAttributes<AdminSetupToken>, InferCreationAttributes<AdminSetupToken>> {
  declare id: CreationOptional<number>;
  declare tokenHash: string;
  declare expiresAt: Date;
  declare createdAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        tokenHash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
        expiresAt: { type: DataTypes.DATE, allowNull: false },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'admin_setup_tokens', underscored: true, updatedAt: false },
    );
  }
}
